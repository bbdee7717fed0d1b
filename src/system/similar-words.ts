/**
 * "Did you mean ...?" for a mistyped name (a setting key, a schedule name):
 * the known names within a small edit distance of what was typed, closest
 * first. The rule is commander's own for unknown commands (Damerau-
 * Levenshtein distance, at most 40% of the typed length), so every
 * suggestion hfsched prints behaves alike.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The known names closest to `typed` (all those at the smallest distance), or [] when none is close. */
export function similarWords(typed: string, known: readonly string[]): string[] {
  const limit = Math.max(1, Math.floor(typed.length * 0.4));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of known) {
    const distance = editDistance(typed.toLowerCase(), candidate.toLowerCase());
    if (distance > limit || distance > best) continue;
    if (distance < best) found = [];
    best = distance;
    found.push(candidate);
  }
  return found;
}

/** " (did you mean download.max_retries?)", or "" when nothing is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const found = similarWords(typed, known);
  return found.length === 0 ? '' : ` (did you mean ${found.join(' or ')}?)`;
}
