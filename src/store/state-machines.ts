/**
 * The legal status moves of models and download sessions. An illegal move
 * raises StateTransitionError and changes nothing.
 *
 * Model (docs/database.md, "Model status"):
 *   pending     -> downloading, paused
 *   downloading -> completed, failed, paused
 *   completed   -> pending (verify found damage, or model retry: repaired
 *                  by the next run), downloading (its tracked branch moved)
 *   failed      -> pending (retry from zero), downloading, paused
 *   paused      -> pending, downloading
 * A move to the same status is not a move, and is refused like any other.
 *
 * Download session: started -> in_progress -> completed | failed | cancelled;
 * started may also end directly; started and in_progress may be written again
 * (progress). An ended session never changes.
 */
import { StateTransitionError } from '../errors.js';
import type { ModelStatus, SessionStatus } from './types.js';

export const MODEL_TRANSITIONS: Readonly<Record<ModelStatus, readonly ModelStatus[]>> = {
  pending: ['downloading', 'paused'],
  downloading: ['completed', 'failed', 'paused'],
  completed: ['pending', 'downloading'],
  failed: ['pending', 'downloading', 'paused'],
  paused: ['pending', 'downloading'],
};

export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  started: ['started', 'in_progress', 'completed', 'failed', 'cancelled'],
  in_progress: ['in_progress', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const ENDED_SESSION_STATUSES: readonly SessionStatus[] = ['completed', 'failed', 'cancelled'];

export function isModelTransitionAllowed(from: ModelStatus, to: ModelStatus): boolean {
  return MODEL_TRANSITIONS[from].includes(to);
}

export function assertModelTransition(modelName: string, from: ModelStatus, to: ModelStatus): void {
  if (!isModelTransitionAllowed(from, to)) {
    const allowed = MODEL_TRANSITIONS[from];
    throw new StateTransitionError(
      `model "${modelName}" cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.join(' or ')}`,
    );
  }
}

export function assertSessionTransition(sessionId: number, from: SessionStatus, to: SessionStatus): void {
  if (SESSION_TRANSITIONS[from].includes(to)) return;
  const why = ENDED_SESSION_STATUSES.includes(from)
    ? `it has already ended (${from}); an ended session is never changed`
    : `from ${from} it can go to ${SESSION_TRANSITIONS[from].join(', ')}`;
  throw new StateTransitionError(`download session ${sessionId} cannot go from ${from} to ${to}: ${why}`);
}
