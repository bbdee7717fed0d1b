import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// From dist/test/lint/ up to the repository.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO, 'test', 'lint-fixtures');
const RULE = '@typescript-eslint/no-restricted-imports';

interface ImportRulesModule {
  importRules: () => Linter.Config[];
  SRC_PARTS: Record<string, string[]>;
}

async function importRulesModule(): Promise<ImportRulesModule> {
  return (await import(pathToFileURL(join(REPO, 'eslint.import-rules.js')).href)) as ImportRulesModule;
}

async function importRules(): Promise<Linter.Config[]> {
  return (await importRulesModule()).importRules();
}

/** The table of docs/ARCHITECTURE.md between its import-rules markers: part -> what it may import. */
function documentedParts(): Record<string, string[]> {
  const text = readFileSync(join(REPO, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const table = /<!-- import-rules: begin[^>]*-->([\s\S]*?)<!-- import-rules: end -->/.exec(text)?.[1];
  assert.ok(table !== undefined, 'docs/ARCHITECTURE.md has the import-rules table');
  const parts: Record<string, string[]> = {};
  for (const row of table.split('\n').filter((line) => line.startsWith('| `'))) {
    const [part = '', allowed = ''] = row
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    const names = (cell: string): string[] => [...cell.matchAll(/`([^`]+?)\/?`/g)].map((match) => match[1] ?? '');
    parts[names(part)[0] ?? ''] = names(allowed);
  }
  return parts;
}

/** ESLint with the repository's import rules, rooted at the fixtures as if they were the repository. */
async function fixtureLinter(): Promise<ESLint> {
  return new ESLint({
    cwd: FIXTURES,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      { plugins: { '@typescript-eslint': tseslint.plugin } },
      ...(await importRules()),
    ],
  });
}

async function importProblems(file: string): Promise<{ line: number; message: string }[]> {
  const [result] = await (await fixtureLinter()).lintFiles([join(FIXTURES, file)]);
  assert.ok(result, `ESLint linted ${file}`);
  assert.deepEqual(
    result.messages.filter((message) => message.ruleId !== RULE),
    [],
    'no other problem (a parse error would hide the rule)',
  );
  return result.messages.map(({ line, message }) => ({ line, message }));
}

describe('import rules in npm run lint (docs/ARCHITECTURE.md, "Who imports whom")', () => {
  test('npm run lint uses them: the repository config has the rule on src/ and not on test/', async () => {
    const eslint = new ESLint({ cwd: REPO });
    const onApply = (await eslint.calculateConfigForFile(join(REPO, 'src/apply/apply-plan.ts'))) as Linter.Config;
    const onTest = (await eslint.calculateConfigForFile(join(REPO, 'test/apply/apply.test.ts'))) as Linter.Config;
    assert.ok(onApply.rules?.[RULE], 'src/apply is restricted');
    assert.equal(onTest.rules?.[RULE], undefined, 'tests may import the modules they test');
  });

  test('the table in docs/ARCHITECTURE.md is the one lint enforces', async () => {
    assert.deepEqual(documentedParts(), (await importRulesModule()).SRC_PARTS);
  });

  test('apply/ importing cli/ fails lint', async () => {
    const problems = await importProblems('src/apply/imports-cli.ts');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.line, 2);
    assert.match(problems[0]?.message ?? '', /src\/apply may not import src\/cli/);
  });

  test('SQL outside src/store/ fails lint: the driver and the store internals', async () => {
    const problems = await importProblems('src/apply/runs-sql.ts');
    assert.deepEqual(
      problems.map((problem) => problem.line),
      [2, 3],
    );
    assert.match(problems[0]?.message ?? '', /only src\/store\/ speaks SQL/);
    assert.match(problems[1]?.message ?? '', /import the store from src\/store\/index\.ts/);
    const fromCli = await importProblems('src/cli/imports-sqlite.ts');
    assert.equal(fromCli.length, 1, 'the CLI may import every part, but not the driver');
  });

  test('a deep import into src/hub/ from outside fails lint', async () => {
    const problems = await importProblems('src/daemon/deep-hub-import.ts');
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /src\/hub\/index\.ts only/);
  });

  test('schedule/ importing store/ fails lint', async () => {
    const problems = await importProblems('src/schedule/imports-store.ts');
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /src\/schedule may not import src\/store/);
  });

  test('hub/protocol importing hub/cache fails lint', async () => {
    const problems = await importProblems('src/hub/protocol/imports-cache.ts');
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /src\/hub\/protocol may not import src\/hub\/cache/);
  });

  test('what the rules allow passes: the Hub and the store through their index', async () => {
    assert.deepEqual(await importProblems('src/daemon/allowed.ts'), []);
  });
});
