/**
 * What part of a blob is already on disk, so a download continues where it
 * stopped instead of starting again.
 *
 * A file is fetched in chunks (one chunk, the whole file, unless it is large
 * enough for several connections). With one chunk, bytes are written in
 * order, so the `.incomplete` file's size is the resume offset, as in
 * huggingface_hub. With several, chunks are written at their offsets out of
 * order, so `{etag}.incomplete.ranges` records how many bytes of each chunk
 * are on disk; it is written before the first out-of-order byte and only ever
 * claims bytes whose write has completed.
 */
import { rmSync, statSync } from 'node:fs';
import { rename, rm, readFile, writeFile } from 'node:fs/promises';

const MIN_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BYTES = 128 * 1024 * 1024;
/** Chunks per connection: small enough that the in-order hash follows closely, large enough to keep requests few. */
const CHUNKS_PER_CONNECTION = 8;

export interface ChunkPlan {
  size: number;
  chunkSize: number;
  /** Bytes on disk from the start of each chunk. */
  done: number[];
}

/** The chunk size for a file: the whole file, or a slice for each of several connections. */
export function chooseChunkSize(size: number, connections: number, multipartThresholdBytes: number): number {
  if (connections <= 1 || size < multipartThresholdBytes || size < 2 * MIN_CHUNK_BYTES) return Math.max(1, size);
  const even = Math.ceil(size / (connections * CHUNKS_PER_CONNECTION));
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, even));
}

export function chunkCount(plan: ChunkPlan): number {
  return plan.size === 0 ? 0 : Math.ceil(plan.size / plan.chunkSize);
}

export function chunkStart(plan: ChunkPlan, index: number): number {
  return index * plan.chunkSize;
}

export function chunkLength(plan: ChunkPlan, index: number): number {
  return Math.min(plan.chunkSize, plan.size - chunkStart(plan, index));
}

export function isChunkComplete(plan: ChunkPlan, index: number): boolean {
  return plan.done[index]! >= chunkLength(plan, index);
}

/** Bytes on disk, all chunks together. */
export function bytesOnDisk(plan: ChunkPlan): number {
  return plan.done.reduce((sum, bytes) => sum + bytes, 0);
}

/** Bytes [0, n) are all on disk: the part the hash can read in order. */
export function contiguousBytes(plan: ChunkPlan): number {
  let total = 0;
  for (let index = 0; index < plan.done.length; index += 1) {
    total += plan.done[index]!;
    if (!isChunkComplete(plan, index)) break;
  }
  return total;
}

/** A plan whose first `prefix` bytes are on disk. */
export function planFromPrefix(size: number, chunkSize: number, prefix: number): ChunkPlan {
  const plan: ChunkPlan = { size, chunkSize, done: [] };
  for (let index = 0; index < chunkCount(plan); index += 1) {
    const start = chunkStart(plan, index);
    plan.done.push(Math.max(0, Math.min(chunkLength(plan, index), prefix - start)));
  }
  return plan;
}

function parseRangesFile(text: string, size: number, fileBytes: number): ChunkPlan | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { size: savedSize, chunkSize, done } = parsed as { size?: unknown; chunkSize?: unknown; done?: unknown };
  if (savedSize !== size || typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < 1)
    return null;
  if (!Array.isArray(done) || !done.every((bytes) => Number.isSafeInteger(bytes) && bytes >= 0)) return null;
  const plan: ChunkPlan = { size, chunkSize, done: done as number[] };
  if (plan.done.length !== chunkCount(plan)) return null;
  // Never trust a claim beyond what the file holds (it was truncated, or replaced).
  plan.done = plan.done.map((bytes, index) =>
    Math.max(0, Math.min(bytes, chunkLength(plan, index), fileBytes - chunkStart(plan, index))),
  );
  return plan;
}

/** Synchronous, as the hub's other metadata calls (see blob-fetcher.ts). */
function fileSize(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.size ?? null;
}

export interface PartialState {
  plan: ChunkPlan;
  /** Whether `.incomplete` exists (open it without truncating) or must be created. */
  fileExists: boolean;
}

/**
 * The plan for continuing a blob of `size` bytes: from the ranges file when
 * there is one, else from the `.incomplete` file's length; a fresh plan with
 * `chunkSize` otherwise. Leftovers that cannot be right are removed.
 */
export async function loadChunkPlan(
  incompletePath: string,
  rangesPath: string,
  size: number,
  chunkSize: number,
): Promise<PartialState> {
  const onDisk = fileSize(incompletePath);
  if (onDisk === null) {
    // A ranges file without its partial file would describe the next one wrongly.
    rmSync(rangesPath, { force: true });
    return { plan: planFromPrefix(size, chunkSize, 0), fileExists: false };
  }
  const rangesText = await readFile(rangesPath, 'utf8').catch(() => null);
  if (rangesText !== null) {
    const saved = parseRangesFile(rangesText, size, onDisk);
    if (saved !== null) return { plan: saved, fileExists: true };
    // A ranges file we cannot read says nothing reliable about the bytes: start again.
    await discardPartial(incompletePath, rangesPath);
    return { plan: planFromPrefix(size, chunkSize, 0), fileExists: false };
  }
  if (onDisk > size) {
    await discardPartial(incompletePath, rangesPath);
    return { plan: planFromPrefix(size, chunkSize, 0), fileExists: false };
  }
  return { plan: planFromPrefix(size, chunkSize, onDisk), fileExists: true };
}

/** Records the plan beside the partial file (written aside, then renamed: never half a file). */
export async function saveChunkPlan(rangesPath: string, plan: ChunkPlan): Promise<void> {
  const aside = `${rangesPath}.tmp`;
  await writeFile(aside, JSON.stringify({ size: plan.size, chunkSize: plan.chunkSize, done: plan.done }));
  await rename(aside, rangesPath);
}

export async function discardPartial(incompletePath: string, rangesPath: string): Promise<void> {
  await rm(incompletePath, { force: true });
  await rm(rangesPath, { force: true });
}
