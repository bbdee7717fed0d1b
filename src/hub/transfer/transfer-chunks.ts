/**
 * The chunks of one blob transfer (blob-transfer.ts): their bounds and
 * progress, and the reused buffers that hold bytes received ahead of the
 * sink's front.
 */

/** The piece of a file one range request asks for. */
export const CHUNK_BYTES = 1024 * 1024;
/** Bytes from the front on that lanes may fetch into memory, at most (it also caps the lanes). */
export const WINDOW_BYTES = 16 * 1024 * 1024;

export interface Chunk {
  index: number;
  start: number;
  end: number;
  /** Bytes of [start, end) received (given to the sink, or held in `slab`). */
  received: number;
  /** Bytes of [start, end) given to the sink. */
  delivered: number;
  /**
   * Bytes received ahead of the front, copied at their offset in the chunk
   * into a reused buffer, so that undici's pieces are not kept alive (one
   * buffer per socket read) while a slow connection holds the front back.
   */
  slab: Buffer | null;
}

/** The chunks a lane holds: `chunk` is being received, the ones after it up to `last` are its too. */
export interface LaneRun {
  chunk: Chunk;
  last: number;
}

export function runDone(lane: LaneRun): boolean {
  const chunk = lane.chunk;
  return chunk.index === lane.last && chunk.received === chunk.end - chunk.start;
}

/**
 * Reused chunk buffers (CHUNK_BYTES each), shared by every transfer of the
 * process. Kept here, not in a HubRuntime: they are the process's memory, not
 * a limit or a connection, and a transfer reads only the bytes it wrote into one.
 */
const idleSlabs: Buffer[] = [];
const MAX_IDLE_SLABS = WINDOW_BYTES / CHUNK_BYTES;

export function takeSlab(): Buffer {
  return idleSlabs.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

export function releaseSlab(slab: Buffer): void {
  if (idleSlabs.length < MAX_IDLE_SLABS) idleSlabs.push(slab);
}

export function planChunks(prefix: number, size: number, chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = prefix; start < size; start += chunkBytes)
    chunks.push({
      index: chunks.length,
      start,
      end: Math.min(size, start + chunkBytes),
      received: 0,
      delivered: 0,
      slab: null,
    });
  return chunks;
}
