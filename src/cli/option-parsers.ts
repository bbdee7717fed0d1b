/**
 * Parsers for option and argument values. They throw commander's
 * InvalidArgumentError, which commander reports as a usage error (exit 2)
 * naming the option.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number from `min` to `max`, e.g. `--limit 20`. */
export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return value;
  };
}

/** For repeatable options such as `--include GLOB --include GLOB`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A schedule or session id, as shown by the list commands. */
export function recordId(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('expected a positive whole number (an id shown by the list command).');
  }
  return value;
}
