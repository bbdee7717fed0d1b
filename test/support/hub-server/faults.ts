/**
 * The faults a test switches on, and which request each one hits.
 * A fault with `times` is used up after that many hits; without, it lasts
 * until clearFaults().
 */
import type { Fault } from './types.js';

interface ActiveFault {
  fault: Fault;
  remaining: number; // Infinity when `times` is absent
}

/** What happens to one file body. */
export interface BodyFaults {
  /** Stop after this many body bytes: cut the connection (drop), reset it, or go silent (stall). */
  cut: { kind: 'drop' | 'reset' | 'stall'; afterBytes: number } | null;
  corrupt: boolean;
  /** Bytes per second for this response, or null. */
  throttle: number | null;
}

export class FaultRegistry {
  private active: ActiveFault[] = [];

  add(fault: Fault): void {
    const times = 'times' in fault && fault.times !== undefined ? fault.times : Infinity;
    if (!(times > 0)) throw new Error(`test Hub: fault ${fault.kind} needs times >= 1 (got ${times})`);
    this.active.push({ fault, remaining: times });
  }

  clear(): void {
    this.active = [];
  }

  /** A status fault for this request, used up by this call. */
  takeStatus(path: string): { status: number; retryAfterSeconds?: number } | null {
    const hit = this.take(path, (f) => f.kind === 'status');
    if (!hit || hit.kind !== 'status') return null;
    return hit.retryAfterSeconds === undefined
      ? { status: hit.status }
      : { status: hit.status, retryAfterSeconds: hit.retryAfterSeconds };
  }

  /** Whether the CDN must answer "expired" to this request (uses the fault up). */
  takeCdnExpiry(): boolean {
    return this.take('', (f) => f.kind === 'expire-cdn') !== null;
  }

  /** The faults for one file body; drop/reset/stall and corrupt are used up by this call. */
  takeBodyFaults(path: string): BodyFaults {
    const cut = this.take(path, (f) => f.kind === 'drop' || f.kind === 'reset' || f.kind === 'stall');
    const corrupt = this.take(path, (f) => f.kind === 'corrupt') !== null;
    let throttle: number | null = null;
    for (const { fault } of this.active) {
      if (fault.kind === 'throttle' && matches(fault, path)) {
        throttle = throttle === null ? fault.bytesPerSecond : Math.min(throttle, fault.bytesPerSecond);
      }
    }
    return {
      cut:
        cut && (cut.kind === 'drop' || cut.kind === 'reset' || cut.kind === 'stall')
          ? { kind: cut.kind, afterBytes: cut.afterBytes }
          : null,
      corrupt,
      throttle,
    };
  }

  private take(path: string, isKind: (fault: Fault) => boolean): Fault | null {
    const index = this.active.findIndex((a) => a.remaining > 0 && isKind(a.fault) && matches(a.fault, path));
    if (index < 0) return null;
    const hit = this.active[index]!;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.active.splice(index, 1);
    return hit.fault;
  }
}

function matches(fault: Fault, path: string): boolean {
  if (fault.kind === 'expire-cdn' || fault.pathContains === undefined) return true;
  return path.includes(fault.pathContains);
}
