/**
 * HTTP Range requests, as far as the Hub and its CDN answer them:
 * one range per request, `bytes=N-`, `bytes=N-M` and `bytes=-K`
 * (RFC 9110 section 14). Anything else is ignored and the whole file is sent,
 * which RFC 9110 allows.
 */

export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number } // end inclusive
  | { kind: 'unsatisfiable' };

export function parseRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return { kind: 'full' };
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix range: the last K bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return { kind: 'unsatisfiable' };
  let end = last === '' ? size - 1 : Number(last);
  if (end < start) return { kind: 'full' };
  end = Math.min(end, size - 1);
  return { kind: 'partial', start, end };
}
