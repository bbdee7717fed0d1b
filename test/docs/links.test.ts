/**
 * Every relative link in README.md and docs/*.md points at a file that
 * exists, and every `#anchor` (in the same file or another Markdown file) at
 * a heading that GitHub renders with that id. GitHub's rule, reproduced here:
 * the heading's text, lower-cased, with everything but letters, digits,
 * spaces, hyphens and underscores removed, spaces turned into hyphens, and
 * "-1", "-2" ... appended to repeats (github/cmark-gfm's anchor filter, as
 * github-slugger implements it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is dist/test/docs/links.test.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs];
}

/** The lines outside fenced code blocks (``` or ~~~), where links and headings count. */
function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === null) fence = marker[0]!;
      else if (marker[0] === fence) fence = null;
      continue;
    }
    if (fence === null) lines.push(line);
  }
  return lines;
}

/** A heading's id as GitHub renders it. */
export function githubSlug(heading: string): string {
  // Code spans are text as written (`<key>` stays); outside them, HTML tags and emphasis marks are not text.
  const text = heading
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`')
        ? part.slice(1, -1)
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) -> text
            .replace(/<[^>]+>/g, '')
            .replace(/\*+/g, ''),
    )
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' ids (repeats numbered) and explicit `<a id|name="...">`. */
function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(readFileSync(path, 'utf8'))) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

/** The link targets of a file's prose: inline `[text](target)` and reference definitions `[x]: target`. */
function linkTargets(path: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(readFileSync(path, 'utf8'))) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1]!);
    const definition = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(withoutCode)?.[1];
    if (definition !== undefined) targets.push(definition);
  }
  return targets;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** What is wrong with one link of `from`, or null when it resolves. */
function problemWith(from: string, target: string): string | null {
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? from : resolve(dirname(from), decodeURIComponent(pathPart));
  if (!existsSync(file)) return `${target}: no file ${relative(ROOT, file)}`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md') || statSync(file).isDirectory()) return null;
  if (!anchorsOf(file).has(decodeURIComponent(anchor)))
    return `${target}: ${relative(ROOT, file)} has no heading #${anchor}`;
  return null;
}

test('github slugs follow GitHub: punctuation dropped, spaces to hyphens, code and links kept as text', () => {
  assert.equal(githubSlug('Heartbeat and liveness'), 'heartbeat-and-liveness');
  assert.equal(githubSlug('`hfsched config set <key> <value> [--json]`'), 'hfsched-config-set-key-value---json');
  assert.equal(githubSlug('The disk gate, and the cache budget'), 'the-disk-gate-and-the-cache-budget');
  assert.equal(githubSlug('Why [SQLite](https://sqlite.org)?'), 'why-sqlite');
});

test('every relative link and #anchor in README.md and docs/*.md resolves', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    for (const target of linkTargets(file)) {
      if (isExternal(target)) continue;
      checked += 1;
      const problem = problemWith(file, target);
      if (problem !== null) problems.push(`${relative(ROOT, file)}: ${problem}`);
    }
  }
  assert.ok(checked > 50, `only ${checked} relative links found: the link reader is broken`);
  assert.deepEqual(problems, []);
});
