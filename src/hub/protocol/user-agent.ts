/**
 * `User-Agent: hfsched/<version>; node/<version>`, like huggingface_hub's
 * `huggingface_hub/<v>; python/<v>`: the Hub's operators can tell clients apart.
 * The version is read from our package.json, found by walking up from this
 * compiled file (any outDir inside the repository works, as for migrations/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
        if (parsed.name === 'hfsched' && typeof parsed.version === 'string') return parsed.version;
      } catch {
        // not ours or unreadable: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export const USER_AGENT = `hfsched/${packageVersion()}; node/${process.versions.node}`;
