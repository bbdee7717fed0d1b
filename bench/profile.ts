/**
 * Summaries of `node --cpu-prof` profiles for bench/profile-summary.md: for
 * each case, one profiled `hfsched pull` (the main thread), its busy time,
 * and where that time went, by function (self time), the largest first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame is, short: the file's last two path parts (node:internal frames keep their name). */
function place(url: string): string {
  if (url === '') return '';
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

/** The profile written into `folder` (the only .cpuprofile there). */
export function readProfile(folder: string): CpuProfile {
  const file = readdirSync(folder).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${folder}`);
  return JSON.parse(readFileSync(join(folder, file), 'utf8')) as CpuProfile;
}

/** One line of markdown per function that took at least `minShare` of the busy time, and the total. */
export function summarizeProfile(profile: CpuProfile, top = 8): string[] {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfMs = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id)!;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const where = place(frame.url);
    const key = where === '' ? name : `${name} (${where}:${frame.lineNumber + 1})`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const idle = selfMs.get('(idle)') ?? 0;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const busyMs = totalMs - idle;
  const lines = [
    `busy ${(busyMs / 1000).toFixed(2)} s of ${(totalMs / 1000).toFixed(2)} s on the main thread; by self time:`,
  ];
  const ranked = [...selfMs].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [key, ms] of ranked.slice(0, top)) {
    lines.push(`  - ${(ms / 1000).toFixed(3)} s (${((ms / busyMs) * 100).toFixed(0)} %) ${key}`);
  }
  return lines;
}
