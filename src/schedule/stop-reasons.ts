/**
 * The reasons recorded on a cancelled session (its `error_message`) when the
 * daemon stops a download. The model becomes `paused` and its partial files
 * stay; only a user pause keeps it from resuming at the next run.
 */
export const STOP_REASON_SHUTDOWN = 'daemon stopped';
export const STOP_REASON_USER_PAUSE = 'paused by user';

/** "window closed at 06:00 Europe/Paris": the end in the schedule's time zone, named. */
export function windowClosedReason(clock: string): string {
  return `window closed at ${clock}`;
}
