/**
 * The schema version the docs show in examples is the one `hfsched init`
 * creates today: the number of the newest migration. It drifted once (the
 * docs said 7 while migrations went on), so a test holds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is dist/test/docs/schema-version.test.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('every schema version that docs/cli.md shows as current is the newest migration', () => {
  const newest = Math.max(
    ...readdirSync(join(ROOT, 'migrations'))
      .map((name) => /^(\d{3})_.*\.sql$/.exec(name)?.[1])
      .filter((number): number is string => number !== undefined)
      .map(Number),
  );
  const text = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
  const shown = [
    ...[...text.matchAll(/\(schema version (\d+)\)/g)].map((match) => Number(match[1])),
    ...[...text.matchAll(/"schemaVersion": (\d+)/g)].map((match) => Number(match[1])),
    ...[...text.matchAll(/from schema version \d+ to (\d+)/g)].map((match) => Number(match[1])),
  ];
  assert.ok(shown.length >= 3, `expected the init and migrate examples in docs/cli.md, found ${shown.length}`);
  assert.deepEqual(
    shown,
    shown.map(() => newest),
    `docs/cli.md shows schema versions ${shown.join(', ')}; the newest migration is ${newest}`,
  );
});
