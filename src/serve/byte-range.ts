/**
 * The `Range` header of a file request (RFC 9110 section 14): one range,
 * `bytes=N-M`, `bytes=N-` or `bytes=-K`. Several ranges, or a header that is
 * not a byte range, are ignored and the whole file is sent, which RFC 9110
 * allows. `bytes=0-0` is how @huggingface/hub asks a file's size and etag.
 */
export type ByteRange =
  | { kind: 'full' }
  /** `end` inclusive. */
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: 'full' };
  const first = match[1]!;
  const last = match[2]!;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Number(last);
  if (end < start) return { kind: 'full' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
