import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CLI_PATH, runCli } from '../support/cli.js';

/** The program's bundle, which main.js (CLI_PATH) imports for every command but --version. */
const PROGRAM_PATH = join(dirname(CLI_PATH), 'run.js');

/** What a bundle imports, statically (`import ... from "x"`) and dynamically (`import("x")`). */
function importsOf(text: string): { static: string[]; dynamic: string[] } {
  return {
    static: [...text.matchAll(/^import [^;]*? from "([^"]+)";$/gm)].map((match) => match[1]!),
    dynamic: [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((match) => match[1]!),
  };
}

const ours = (name: string): boolean => name.startsWith('.') || name.startsWith('/');

// The tests spawn CLI_PATH: the file `npm run build` bundles (scripts/build.mjs), the one installed.
describe('the built CLI is two bundled files, the entry and the program', () => {
  test('the program imports none of our modules at run time: only Node, native addons and lazily required packages', () => {
    const imports = importsOf(readFileSync(PROGRAM_PATH, 'utf8'));
    assert.deepEqual(imports.static.filter(ours), [], 'relative imports left in the bundle');
    assert.ok(imports.static.length > 0, 'the bundle imports Node modules at its top');
    assert.deepEqual(
      imports.dynamic.filter(ours),
      [],
      'a dynamic import of one of our files was left out of the bundle',
    );
  });

  test('the entry imports only Node modules, and the program when it runs a command', () => {
    const imports = importsOf(readFileSync(CLI_PATH, 'utf8'));
    assert.deepEqual(
      imports.static.filter((name) => !name.startsWith('node:')),
      [],
    );
    assert.deepEqual(imports.dynamic, ['./run.js']);
  });

  test('each keeps a source map that names our TypeScript sources', () => {
    const sourcesOf = (path: string): string[] => {
      assert.match(readFileSync(path, 'utf8'), new RegExp(`//# sourceMappingURL=${basename(path)}\\.map\\s*$`));
      assert.ok(existsSync(`${path}.map`), `${path}.map is missing`);
      return (JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] }).sources;
    };
    assert.ok(sourcesOf(CLI_PATH).some((source) => source.endsWith('src/cli/main.ts')));
    const program = sourcesOf(PROGRAM_PATH);
    assert.ok(program.some((source) => source.endsWith('src/cli/run.ts')));
    assert.ok(program.some((source) => source.endsWith('src/hub/protocol/bulk-get.ts')));
  });

  test('the large packages few commands need stay out of the program, which every command compiles', () => {
    const { sources } = JSON.parse(readFileSync(`${PROGRAM_PATH}.map`, 'utf8')) as { sources: string[] };
    for (const name of ['undici', 'yaml', 'prom-client', 'pino'])
      assert.ok(!sources.some((source) => source.includes(`node_modules/${name}/`)), `${name} is bundled`);
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
