import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CLI_PATH, runCli } from '../support/cli.js';

// The tests spawn CLI_PATH: the file `npm run build` bundles (scripts/build.mjs), the one installed.
describe('the built CLI is one bundled file', () => {
  test('it imports none of our modules at run time: only Node, native addons and lazily required packages', () => {
    const text = readFileSync(CLI_PATH, 'utf8');
    const imports = [...text.matchAll(/^import [^;]*? from "([^"]+)";$/gm)].map((match) => match[1]!);
    assert.deepEqual(
      imports.filter((name) => name.startsWith('.') || name.startsWith('/')),
      [],
      'relative imports left in the bundle',
    );
    assert.ok(imports.length > 0, 'the bundle imports Node modules at its top');
    assert.doesNotMatch(
      text,
      /\bimport\("\.{1,2}\//,
      'a dynamic import of one of our files was left out of the bundle',
    );
  });

  test('it keeps a source map that names our TypeScript sources', () => {
    assert.match(readFileSync(CLI_PATH, 'utf8'), /\/\/# sourceMappingURL=main\.js\.map\s*$/);
    const mapPath = `${CLI_PATH}.map`;
    assert.ok(existsSync(mapPath), `${mapPath} is missing`);
    const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[] };
    assert.ok(map.sources.some((source) => source.endsWith('src/cli/main.ts')));
    assert.ok(map.sources.some((source) => source.endsWith('src/hub/protocol/bulk-get.ts')));
  });

  test('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  });
});
