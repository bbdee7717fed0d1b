/**
 * When the daemon writes its heartbeat: as soon as what it publishes changed
 * (queue, running downloads and their progress, next run, window...), else
 * once every HEARTBEAT_MAX_INTERVAL_MS. While downloads run their progress
 * changes every second and is written anyway; while idle, the database sees
 * one write a minute (src/control/liveness.ts judges the heartbeat's age).
 */
import { HEARTBEAT_MAX_INTERVAL_MS } from '../control/liveness.js';

export class HeartbeatPacer {
  private lastWritten: string | null = null;
  private lastWrittenAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxIntervalMs: number = HEARTBEAT_MAX_INTERVAL_MS) {}

  /** `published`: what the heartbeat would write, serialized, so that equal means unchanged. */
  isDue(published: string, now: number = Date.now()): boolean {
    return published !== this.lastWritten || now - this.lastWrittenAt >= this.maxIntervalMs;
  }

  written(published: string, now: number = Date.now()): void {
    this.lastWritten = published;
    this.lastWrittenAt = now;
  }
}
