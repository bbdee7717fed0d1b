/**
 * `serve.tokens_file`: bearer tokens, one a line (blank lines and lines
 * starting with `#` are skipped). With a file set, a request without one of
 * its tokens in `Authorization: Bearer …` answers 401, as the Hub answers a
 * bad token; without one, the mirror is open to whoever reaches its port.
 * The file is read again when it changes (checked at most every few
 * seconds), so tokens are added and revoked without a restart. A file that
 * cannot be read lets nobody in: it never opens the mirror by accident.
 */
import { statSync, readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';

const RECHECK_MS = 2000;

function digest(token: string): Buffer {
  // Compared as digests, in constant time: the time taken says nothing about a token's prefix.
  return createHash('sha256').update(token).digest();
}

export class TokenGate {
  private path: string | null = null;
  private checkedAt = 0;
  private version = '';
  private digests: Buffer[] = [];
  /** Why the file could not be read, for the log (once per change); null when it was. */
  problem: string | null = null;

  constructor(
    /** `serve.tokens_file` now (it may change while serving). */
    private readonly tokensFile: () => string | null,
    private readonly onProblem: (message: string) => void = () => {},
  ) {}

  private refresh(now: number): void {
    const path = this.tokensFile();
    if (path === this.path && now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    if (path === null) {
      this.path = null;
      return;
    }
    let version: string;
    try {
      const stats = statSync(path);
      version = `${path}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      if (version === this.version && path === this.path) return;
      const tokens = readFileSync(path, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      this.digests = tokens.map(digest);
      this.problem = null;
    } catch (error) {
      version = 'unreadable';
      this.digests = [];
      const message = `serve.tokens_file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): every request is refused`;
      if (this.problem !== message) this.onProblem(message);
      this.problem = message;
    }
    this.path = path;
    this.version = version;
  }

  /** Whether the request may be answered. */
  allows(authorization: string | undefined, now = Date.now()): boolean {
    this.refresh(now);
    if (this.path === null) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match === null) return false;
    const asked = digest(match[1]!);
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, asked) || found;
    return found;
  }
}
