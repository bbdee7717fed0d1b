/**
 * Starts hub-process.js as a child and talks to it over its stdin/stdout
 * (one JSON line per answer).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { BenchHubConfig, BenchHubReady, BenchHubStats } from './hub-process.js';

const HUB_PROCESS = fileURLToPath(new URL('./hub-process.js', import.meta.url));

export class HubChild {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: Interface,
    private readonly pending: ((line: string) => void)[],
    readonly ready: BenchHubReady,
  ) {}

  static async start(config: BenchHubConfig): Promise<HubChild> {
    const child = spawn(process.execPath, [HUB_PROCESS, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const pending: ((line: string) => void)[] = [];
    lines.on('line', (line) => pending.shift()?.(line));
    const readyLine = await new Promise<string>((resolve, reject) => {
      pending.push(resolve);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the bench Hub process exited with ${code} before it was ready`)));
    });
    return new HubChild(child, lines, pending, JSON.parse(readyLine) as BenchHubReady);
  }

  /** What the server saw since the last call (then it forgets it); rejects if the Hub process is gone. */
  stats(): Promise<BenchHubStats> {
    return new Promise((resolve, reject) => {
      const gone = (): void => reject(new Error(`the bench Hub process exited (${this.child.exitCode ?? 'signal'})`));
      if (this.child.exitCode !== null || this.child.signalCode !== null) return gone();
      this.child.once('exit', gone);
      this.pending.push((line) => {
        this.child.off('exit', gone);
        resolve(JSON.parse(line) as BenchHubStats);
      });
      this.child.stdin.write('stats\n');
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    await exited;
    this.lines.close();
  }
}
