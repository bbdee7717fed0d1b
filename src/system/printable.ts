/**
 * Names from a server (repository file paths) may hold any byte a file name
 * may: ESC sequences that recolour or rewrite a terminal, BEL, carriage
 * returns that hide the start of a line, bidirectional overrides that show
 * text in another order (CVE-2021-42574). Every text meant for people goes
 * through here before it is printed; JSON needs nothing (JSON.stringify
 * writes control characters as \u escapes).
 */

// C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNPRINTABLE_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text for a terminal or a log line: control characters as `\x1b`, newlines and tabs kept. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeCharacter);
}

/** One name (a file path) shown inside a line: newlines and tabs escaped too. */
export function printableName(name: string): string {
  return name.replace(UNPRINTABLE_IN_A_LINE, escapeCharacter);
}
