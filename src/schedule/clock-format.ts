/**
 * `HH:MM` of a date in the schedule's time zone: how a user wrote the window
 * end (`--until 06:00`), so the reason recorded on a paused session reads the
 * same ("window closed at 06:00").
 */
export function formatClock(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const hour = parts.find((part) => part.type === 'hour')?.value ?? '00';
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '00';
  return `${hour}:${minute}`;
}

/** `HH:MM:SS` of a date in a time zone (the machine's when omitted), e.g. when a rate limit resets. */
export function formatClockSeconds(date: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}
