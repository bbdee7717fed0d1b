/**
 * Positions in a YAML file, and the checks of its nodes that report them:
 * every error names FILE:LINE:COLUMN of the node at fault (yaml's LineCounter).
 */
import { isMap, isScalar, type LineCounter, type Node } from 'yaml';
import { ValidationError } from '../errors.js';

/** A bad model set file: the message starts with `FILE:LINE:COLUMN:`. */
export class ModelSetFileError extends ValidationError {}

/** Where a node is, and how to say what is wrong with it. */
export interface FilePosition {
  fail(node: Node | null | undefined, message: string): never;
  line(node: Node | null | undefined): number;
}

export function filePosition(source: string, lineCounter: LineCounter): FilePosition {
  const position = {
    line(node: Node | null | undefined): number {
      const offset = node?.range?.[0] ?? 0;
      return lineCounter.linePos(offset).line;
    },
    fail(node: Node | null | undefined, message: string): never {
      const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
      throw new ModelSetFileError(`${source}:${line}:${col}: ${message}`);
    },
  };
  return position;
}

/** Runs a check that throws ValidationError, and puts the node's position in front of its message. */
export function checked<T>(at: FilePosition, node: Node | null | undefined, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ValidationError && !(error instanceof ModelSetFileError)) at.fail(node, error.message);
    throw error;
  }
}

/** The entries of a mapping node, keys as strings; unknown keys are refused (a typo must not be ignored). */
export function mappingEntries(
  at: FilePosition,
  node: Node | null | undefined,
  what: string,
  allowed: readonly string[],
): Map<string, { key: Node; value: Node | null }> {
  if (!isMap(node)) at.fail(node, `${what} must be a mapping (key: value lines)`);
  const entries = new Map<string, { key: Node; value: Node | null }>();
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : null;
    if (key === null) at.fail(keyNode, `${what}: keys must be plain names`);
    if (!allowed.includes(key))
      at.fail(keyNode, `${what}: unknown key "${key}"; expected one of ${allowed.join(', ')}`);
    if (entries.has(key)) at.fail(keyNode, `${what}: "${key}" is given twice`);
    entries.set(key, { key: keyNode as Node, value: (pair.value as Node | null) ?? null });
  }
  return entries;
}

/**
 * A scalar as the file writes it. YAML reads an unquoted `1.10` as the number
 * 1.1, `0o17` as 15, `1e3` as 1000 and a 40-digit commit as 1.2e+39; a
 * revision, a repo id or a pattern is text, so the text is taken from the
 * file, not from the number or boolean YAML made of it.
 */
export function scalarText(at: FilePosition, node: Node | null | undefined, what: string): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
    at.fail(node, `${what} must be a single value`);
  }
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

export function wholeNumber(at: FilePosition, node: Node | null | undefined, what: string): number {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
    at.fail(node, `${what} must be a whole number`);
  }
  return node.value;
}
