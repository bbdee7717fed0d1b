/**
 * Runs one command under GNU time, which reports what the kernel counted for
 * it (wait4's rusage): CPU seconds, user + system, of the command and its
 * children, and its peak resident set size (worker threads included, as
 * they share the process). The wall time is taken here, around the whole run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export class CommandFailed extends Error {}

/** The end of a stream, kept so that a failure can be explained without buffering everything. */
function tail(limit: number): { add(chunk: Buffer): void; text(): string } {
  let kept = Buffer.alloc(0);
  return {
    add(chunk) {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length > limit) kept = kept.subarray(kept.length - limit);
    },
    text: () => kept.toString(),
  };
}

export function gnuTimeAvailable(): boolean {
  return existsSync(GNU_TIME);
}

export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const folder = mkdtempSync(join(tmpdir(), 'hfsched-bench-time-'));
  const report = join(folder, 'time.txt');
  try {
    const output = tail(4000);
    const started = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      // %U %S: CPU seconds in user and kernel mode; %M: peak resident set size in KiB.
      const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', report, command, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
      child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
      child.on('error', reject);
      child.on('close', resolve);
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new CommandFailed(`${command} ${args.join(' ')} exited with ${code}:\n${output.text()}`);
    const fields = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
    const [user, system, rssKiB] = fields as [number, number, number];
    return { wallSeconds, cpuSeconds: user + system, peakRssBytes: rssKiB * 1024 };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
