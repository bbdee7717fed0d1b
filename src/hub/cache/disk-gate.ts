/**
 * The disk gate: a download starts only when what it still needs fits, and
 * waits (it does not fail) until it does. Two limits, the stricter wins:
 *
 * - free disk: the file system's free bytes, minus what the other running
 *   downloads of this process still need (their reservation), must hold this
 *   download's missing bytes plus `download.min_free_bytes`;
 * - cache budget (`cache.max_bytes`, 0 = none): the managed repositories'
 *   bytes on disk, plus what the other running downloads still need, plus
 *   this download's missing bytes, must stay within the budget.
 *
 * A download whose selection alone (its distinct blobs, present or not) is
 * over the budget could never fit, whatever were pruned: it is refused at
 * once (CacheBudgetError) instead of waiting for ever.
 *
 * Checks run one at a time, so two downloads that start together never both
 * count the same free bytes. A reservation shrinks as its download writes
 * (the caller says how much it still needs) and goes when it ends; waiting
 * downloads look again when one ends and every few seconds (free space may
 * appear, a prune may free budget, the budget may be raised).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes } from '../../system/human-units.js';
import { CacheBudgetError } from '../errors.js';
import { freeBytes } from './free-space.js';

export const SPACE_POLL_MS = 2000;

/** A size as people read it, with the bytes when that reads the same as the size it is compared with. */
function exactBytes(bytes: number, other: number): string {
  return formatBytes(bytes) === formatBytes(other) ? `${formatBytes(bytes)} (${bytes} bytes)` : formatBytes(bytes);
}

/** The limits as they are now: read again at each look, so a raised budget is seen by a waiting download. */
export interface SpaceLimits {
  minFreeBytes: number;
  /** 0: no budget. */
  maxBytes: number;
  /** The managed repositories' bytes on disk (cache-usage.ts); asked only when there is a budget. */
  managedBytes: () => Promise<number>;
}

export interface SpaceRequest {
  /** A folder on the cache's file system. */
  dir: string;
  /** Bytes this download has yet to write. */
  neededBytes: number;
  /** What the download's files take in the cache once complete (each blob once), and what they are (`"org/name" at main (3 files)`). */
  selection?: { bytes: number; what: string };
  /** Bytes it still has to write, later on (neededBytes at first, less as it goes). */
  remainingBytes: () => number;
  limits: () => SpaceLimits;
  signal?: AbortSignal;
  /** Called with the reason when the download has to wait, and with null when it may go. */
  onWait?: (reason: string | null) => void;
  pollMs?: number;
}

export interface SpaceReservation {
  release(): void;
}

export type WaitKind = 'disk' | 'budget';

interface Holder {
  remainingBytes: () => number;
}

export class DiskGate {
  private readonly holders = new Set<Holder>();
  private readonly waiting = new Map<symbol, WaitKind>();
  /** Checks run one at a time (see above). */
  private checking: Promise<unknown> = Promise.resolve();
  private wakeUp: (() => void)[] = [];

  /** Downloads waiting now, by what they wait for (for /metrics). */
  waitingCounts(): Record<WaitKind, number> {
    const counts: Record<WaitKind, number> = { disk: 0, budget: 0 };
    for (const kind of this.waiting.values()) counts[kind] += 1;
    return counts;
  }

  /** Resolves once the download fits, holding its reservation; rejects when `signal` aborts. */
  async reserve(request: SpaceRequest): Promise<SpaceReservation> {
    const id = Symbol('waiting download');
    let told: string | null = null;
    try {
      for (;;) {
        request.signal?.throwIfAborted();
        const verdict = await this.exclusively(() => this.tryReserve(request));
        if ('release' in verdict) {
          if (told !== null) request.onWait?.(null);
          return verdict;
        }
        this.waiting.set(id, verdict.kind);
        if (verdict.reason !== told) request.onWait?.(verdict.reason);
        told = verdict.reason;
        await this.nextLook(request.pollMs ?? SPACE_POLL_MS, request.signal);
      }
    } finally {
      this.waiting.delete(id);
    }
  }

  private exclusively<T>(check: () => Promise<T>): Promise<T> {
    const result = this.checking.then(check);
    this.checking = result.catch(() => undefined);
    return result;
  }

  private promisedToOthers(): number {
    let total = 0;
    for (const holder of this.holders) total += Math.max(0, holder.remainingBytes());
    return total;
  }

  /** The reservation, or why the download must wait. */
  private async tryReserve(request: SpaceRequest): Promise<SpaceReservation | { kind: WaitKind; reason: string }> {
    if (request.neededBytes > 0) {
      const limits = request.limits();
      const others = this.promisedToOthers();
      if (limits.maxBytes > 0) {
        const used = await limits.managedBytes();
        const selection = request.selection;
        if (selection !== undefined && selection.bytes > limits.maxBytes) {
          throw new CacheBudgetError(
            `${selection.what} needs ${exactBytes(selection.bytes, limits.maxBytes)} in the cache, more than cache.max_bytes ${exactBytes(limits.maxBytes, selection.bytes)} ` +
              `(the managed repos use ${formatBytes(used)} now): it can never fit, so it does not wait; ` +
              `raise cache.max_bytes (hfsched config set cache.max_bytes SIZE) or select fewer files (--exclude); ` +
              `pruning (hfsched cache prune) cannot free enough`,
          );
        }
        const total = used + others + request.neededBytes;
        if (total > limits.maxBytes) {
          return {
            kind: 'budget',
            reason:
              `waiting: cache budget: ${formatBytes(request.neededBytes)} more would bring the managed repos to ${formatBytes(total)} ` +
              `(${formatBytes(used)} on disk${others > 0 ? `, ${formatBytes(others)} still due to running downloads` : ''}), ` +
              `over cache.max_bytes ${formatBytes(limits.maxBytes)}; prune (hfsched cache prune) or raise cache.max_bytes`,
          };
        }
      }
      const free = await freeBytes(request.dir);
      const shortfall = request.neededBytes + limits.minFreeBytes + others - free;
      if (shortfall > 0) {
        return {
          kind: 'disk',
          reason:
            `waiting for ${formatBytes(shortfall)} of free disk: needs ${formatBytes(request.neededBytes)} plus ${formatBytes(limits.minFreeBytes)} kept free (download.min_free_bytes); ` +
            `${formatBytes(free)} free${others > 0 ? `, of which ${formatBytes(others)} is promised to running downloads` : ''}`,
        };
      }
    }
    const holder: Holder = { remainingBytes: request.remainingBytes };
    this.holders.add(holder);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.holders.delete(holder);
        this.wakeAll();
      },
    };
  }

  private wakeAll(): void {
    const waiters = this.wakeUp;
    this.wakeUp = [];
    for (const wake of waiters) wake();
  }

  /** Sleeps until the next poll, a released reservation, or the abort. */
  private async nextLook(pollMs: number, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    this.wakeUp.push(wake);
    try {
      await Promise.race([sleep(pollMs, undefined, { signal: controller.signal }), woken]);
    } finally {
      this.wakeUp = this.wakeUp.filter((waiter) => waiter !== wake);
      controller.abort();
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
  }
}
