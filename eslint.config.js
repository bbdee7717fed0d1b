// ESLint with type-aware typescript-eslint rules. The promise rules matter
// most in a daemon: a floating promise is an error nobody hears about.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importRules } from './eslint.import-rules.js';

export default tseslint.config(
  // test/lint-fixtures/ breaks the import rules on purpose (test/lint/import-rules.test.ts).
  { ignores: ['dist/', '.dist-next-*/', 'node_modules/', 'bench/work/', '.ci/cache/', 'test/lint-fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Validators match control characters on purpose: they are what a name must not hold.
      'no-control-regex': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Who may import whom in src/ (docs/ARCHITECTURE.md).
  ...importRules(),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
