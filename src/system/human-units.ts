/**
 * Sizes and durations as people read them, the same everywhere hfsched shows
 * one (tables, status, progress, messages). Sizes use binary units (KiB, MiB,
 * GiB: powers of 1024), as the CLI tables always did; settings accept both
 * kinds of unit on input (docs/configuration.md).
 */

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** 1288490188 -> "1.2 GiB", 512 -> "512 B"; null -> "-". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${BINARY_UNITS[unit]}`;
}

/**
 * Seconds as hours, minutes and seconds, leaving out trailing zero parts:
 * 3725 -> "1h02m05s", 5400 -> "1h30m", 14400 -> "4h", 75 -> "1m15s",
 * 9 -> "9s". The same spelling `--for` accepts. "?" when unknown.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const total = Math.round(seconds);
  const parts: [number, string][] = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  let last = parts.length - 1;
  while (parts[last]![0] === 0) last -= 1;
  return parts
    .slice(first, last + 1)
    .map(([value, unit], index) => `${index === 0 ? value : String(value).padStart(2, '0')}${unit}`)
    .join('');
}
