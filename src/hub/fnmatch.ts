/**
 * Python's `fnmatch.fnmatchcase`, which huggingface_hub's
 * `filter_repo_objects` uses for `allow_patterns`/`ignore_patterns` (and so
 * `hf download --include/--exclude`): a whole-path match where
 *
 * - `*` matches any run of characters, `/` included (`nested/*` matches
 *   `nested/deeper/notes.txt`; `**` is the same as `*`);
 * - `?` matches one character, `/` included;
 * - `[seq]` matches one character of seq, `[!seq]` one that is not in it, with
 *   ranges (`[a-z]`); a `]` right after `[` or `[!` is a member; a `[`
 *   without its `]` is a literal `[`;
 * - everything else, `\` and `{` included, is itself; case counts.
 *
 * The bracket rules follow `fnmatch.translate` character for character
 * (https://github.com/python/cpython/blob/main/Lib/fnmatch.py), including
 * its quirks: an empty range (`[z-a]`) never matches, and a set that is
 * only `!` once its empty ranges are dropped matches any character.
 */

/** One character position of a pattern: a literal, `?`, a bracket set, or `*` (any run). */
type Token = { kind: 'star' } | { kind: 'char'; matches: (codePoint: number) => boolean };

const ANY = (): boolean => true;
const NEVER = (): boolean => false;

/** A bracket set's members: single characters and inclusive ranges, as code points. */
interface CharSet {
  singles: Set<number>;
  ranges: Array<[number, number]>;
}

function memberOf(set: CharSet, negated: boolean): (codePoint: number) => boolean {
  return (codePoint) => {
    const inside =
      set.singles.has(codePoint) || set.ranges.some(([low, high]) => codePoint >= low && codePoint <= high);
    return inside !== negated;
  };
}

/**
 * The set fnmatch.translate builds from `chars[start..end)` (what lies between
 * `[` and its `]`): split at the hyphens that make ranges, drop empty ranges,
 * then read the result as a regular-expression set would.
 */
function bracketSet(chars: string[], start: number, end: number): (codePoint: number) => boolean {
  // translate's chunks: the text between range-making hyphens. A hyphen first
  // (after `[` or `[!`), or right after a range, is a literal.
  const chunks: string[][] = [];
  let from = start;
  let search = chars[start] === '!' ? start + 2 : start + 1;
  for (;;) {
    let hyphen = -1;
    for (let index = search; index < end; index++) {
      if (chars[index] === '-') {
        hyphen = index;
        break;
      }
    }
    if (hyphen < 0) break;
    chunks.push(chars.slice(from, hyphen));
    from = hyphen + 1;
    search = hyphen + 3;
  }
  const last = chars.slice(from, end);
  if (last.length > 0) chunks.push(last);
  else chunks[chunks.length - 1]!.push('-');
  // Empty ranges (low > high) go, with both of their ends.
  for (let index = chunks.length - 1; index > 0; index--) {
    const before = chunks[index - 1]!;
    const after = chunks[index]!;
    if (before[before.length - 1]! > after[0]!) {
      chunks[index - 1] = [...before.slice(0, -1), ...after.slice(1)];
      chunks.splice(index, 1);
    }
  }
  // The set's text is the chunks joined by range hyphens; translate looks at its first character.
  const text = chunks.flat();
  if (text.length === 0) return NEVER;
  if (text.length === 1 && text[0] === '!') return ANY;
  const negated = text[0] === '!';
  const set: CharSet = { singles: new Set(), ranges: [] };
  chunks.forEach((chunk, index) => {
    const members = index === 0 && negated ? chunk.slice(1) : chunk;
    // A chunk's first character closes the range opened by the chunk before; its last opens the next.
    const inner = members.slice(index === 0 ? 0 : 1, index === chunks.length - 1 ? members.length : -1);
    for (const char of inner) set.singles.add(char.codePointAt(0)!);
    if (index > 0) {
      const previous = chunks[index - 1]!;
      const low = previous[previous.length - 1]!;
      const high = chunk[0]!;
      set.ranges.push([low.codePointAt(0)!, high.codePointAt(0)!]);
    }
  });
  return memberOf(set, negated);
}

function compile(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let index = 0;
  while (index < chars.length) {
    const char = chars[index]!;
    index++;
    if (char === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'char', matches: ANY });
    } else if (char === '[') {
      let close = index;
      if (close < chars.length && chars[close] === '!') close++;
      if (close < chars.length && chars[close] === ']') close++;
      while (close < chars.length && chars[close] !== ']') close++;
      if (close >= chars.length) {
        tokens.push(literal('['));
      } else {
        tokens.push({ kind: 'char', matches: bracketSet(chars, index, close) });
        index = close + 1;
      }
    } else {
      tokens.push(literal(char));
    }
  }
  return tokens;
}

function literal(char: string): Token {
  const codePoint = char.codePointAt(0)!;
  return { kind: 'char', matches: (other) => other === codePoint };
}

/** Whole-string match with backtracking to the last `*` only: linear per star, never exponential. */
function matchTokens(tokens: Token[], text: number[]): boolean {
  let token = 0;
  let position = 0;
  let starToken = -1;
  let starPosition = 0;
  while (position < text.length) {
    const current = tokens[token];
    if (current?.kind === 'char' && current.matches(text[position]!)) {
      token++;
      position++;
    } else if (current?.kind === 'star') {
      starToken = token;
      starPosition = position;
      token++;
    } else if (starToken >= 0) {
      token = starToken + 1;
      starPosition++;
      position = starPosition;
    } else {
      return false;
    }
  }
  while (tokens[token]?.kind === 'star') token++;
  return token === tokens.length;
}

/** A compiled pattern: `fnmatchcase(path, pattern)` for each path given. */
export function fnmatchcase(pattern: string): (path: string) => boolean {
  const tokens = compile(pattern);
  return (path) =>
    matchTokens(
      tokens,
      Array.from(path, (char) => char.codePointAt(0)!),
    );
}
