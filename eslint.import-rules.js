// The import rules of src/, as docs/ARCHITECTURE.md ("Who imports whom")
// draws them. Each part lists the parts it may import; everything else is
// refused by @typescript-eslint/no-restricted-imports, one config object per
// part (ESLint's flat config lets a later object override an earlier one for
// the same files, so the Hub's subfolders come after src/hub/ itself).
// Tests and the bench are not parts: they may import any module they test.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Part of src/ -> the parts it may import (besides itself and packages). */
export const SRC_PARTS = {
  'errors.ts': [],
  'repo-id.ts': ['errors.ts'],
  types: [],
  system: ['errors.ts'],
  schedule: ['errors.ts', 'system'],
  config: ['errors.ts', 'system'],
  store: ['errors.ts', 'repo-id.ts', 'system', 'schedule'],
  hub: ['errors.ts', 'repo-id.ts', 'system'],
  download: ['errors.ts', 'repo-id.ts', 'system', 'store', 'hub', 'config'],
  control: ['errors.ts', 'repo-id.ts', 'system', 'schedule', 'store', 'config', 'download'],
  apply: ['errors.ts', 'repo-id.ts', 'system', 'schedule', 'store', 'config'],
  serve: ['errors.ts', 'repo-id.ts', 'system', 'store', 'hub', 'config'],
  daemon: ['errors.ts', 'repo-id.ts', 'system', 'schedule', 'store', 'config', 'hub', 'download', 'control', 'serve'],
  cli: [
    'errors.ts',
    'repo-id.ts',
    'system',
    'schedule',
    'store',
    'config',
    'hub',
    'download',
    'control',
    'apply',
    'serve',
    'daemon',
  ],
};

/**
 * Inside src/hub/: each subfolder and the subfolders it may import. All may
 * import the Hub's shared leaves; only the root (index.ts, snapshot-download.ts)
 * joins them all.
 */
export const HUB_PARTS = {
  protocol: [],
  cache: [],
  transfer: ['protocol', 'cache'],
};
/** Modules of src/hub/ that import no subfolder: every subfolder may use them. */
export const HUB_LEAVES = ['errors.ts', 'types.ts', 'repo-paths.ts', 'file-selection.ts'];
/** Modules of src/hub/ that join the subfolders: nothing inside the Hub imports them. */
const HUB_ROOT = ['index.ts', 'snapshot-download.ts', 'hub-runtime.ts'];

const RULE = '@typescript-eslint/no-restricted-imports';
const HOW = 'see "Who imports whom" in docs/ARCHITECTURE.md';

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A relative specifier from `depth` folders below src/ that lands in `target` (a folder or a file of src/). */
function reaching(depth, target, rest = '(/|$)') {
  const up = depth === 0 ? '\\./' : `(\\.\\./){${depth}}`;
  return target.endsWith('.ts') ? `^${up}${escape(target.replace(/\.ts$/, '.js'))}$` : `^${up}${escape(target)}${rest}`;
}
const jsName = (file) => escape(file.replace(/\.ts$/, '.js'));

/** The patterns refused to a file `depth` folders below src/ in `part`. */
function outsidePatterns(part, depth) {
  const allowed = SRC_PARTS[part];
  const patterns = Object.keys(SRC_PARTS)
    .filter((other) => other !== part && !allowed.includes(other))
    .map((other) => ({
      regex: reaching(depth, other),
      message: `src/${part} may not import src/${other} (${HOW}).`,
    }));
  if (allowed.includes('hub')) {
    patterns.push({
      regex: reaching(depth, 'hub', '/(?!index\\.js$)'),
      message: `outside src/hub/, import the Hub client from src/hub/index.ts only (${HOW}).`,
    });
  }
  if (allowed.includes('store')) {
    patterns.push({
      regex: reaching(depth, 'store', '/(?!(index|types)\\.js$)'),
      message: `outside src/store/, import the store from src/store/index.ts (or its row types, types.ts) only: only the store speaks SQL (${HOW}).`,
    });
  }
  return patterns;
}

/** Only src/store/ speaks SQL: the driver is refused everywhere else in src/. */
const SQL_DRIVER = [{ name: 'better-sqlite3', message: `only src/store/ speaks SQL: go through the Store (${HOW}).` }];

function restrict(files, patterns, paths = SQL_DRIVER) {
  return { files, rules: { [RULE]: ['error', { paths, patterns }] } };
}

function hubPatterns(from) {
  const subfolders = Object.keys(HUB_PARTS);
  if (from === 'root') return [];
  const root = HUB_ROOT.map((file) => ({
    regex: `^\\.\\./${jsName(file)}$`,
    message: `src/hub/${file} joins the Hub's subfolders; nothing inside src/hub/ imports it (${HOW}).`,
  }));
  if (from === 'leaf') {
    return [
      ...subfolders.map((target) => ({
        regex: `^\\./${target}/`,
        message: `the Hub's shared leaves import no subfolder of src/hub/ (${HOW}).`,
      })),
      ...HUB_ROOT.map((file) => ({
        regex: `^\\./${jsName(file)}$`,
        message: `the Hub's shared leaves do not import src/hub/${file} (${HOW}).`,
      })),
    ];
  }
  const others = subfolders.filter((target) => target !== from && !HUB_PARTS[from].includes(target));
  return [
    ...others.map((target) => ({
      regex: `^\\.\\./${target}/`,
      message: `src/hub/${from} may not import src/hub/${target} (${HOW}).`,
    })),
    ...root,
  ];
}

/** Every folder of src/ must have its line in the table: a new one is a decision to write down. */
function checkEveryPartListed() {
  const src = fileURLToPath(new URL('./src/', import.meta.url));
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (!(entry.name in SRC_PARTS)) {
      throw new Error(
        `src/${entry.name} is not in the import rules: add it to SRC_PARTS in eslint.import-rules.js and to docs/ARCHITECTURE.md`,
      );
    }
  }
  const hub = fileURLToPath(new URL('./src/hub/', import.meta.url));
  for (const entry of readdirSync(hub, { withFileTypes: true })) {
    if (entry.isDirectory() && !(entry.name in HUB_PARTS)) {
      throw new Error(`src/hub/${entry.name} is not in HUB_PARTS of eslint.import-rules.js`);
    }
  }
}

export function importRules() {
  checkEveryPartListed();
  const configs = [];
  for (const part of Object.keys(SRC_PARTS)) {
    const folder = !part.endsWith('.ts');
    const files = folder ? [`src/${part}/**/*.ts`] : [`src/${part}`];
    const paths = part === 'store' ? [] : SQL_DRIVER;
    configs.push(restrict(files, outsidePatterns(part, folder ? 1 : 0), paths));
  }
  const hubOutside = outsidePatterns('hub', 1);
  const hubDeep = outsidePatterns('hub', 2);
  configs.push(
    restrict(
      HUB_ROOT.map((file) => `src/hub/${file}`),
      [...hubOutside, ...hubPatterns('root')],
    ),
  );
  configs.push(
    restrict(
      HUB_LEAVES.filter((file) => file !== 'types.ts').map((file) => `src/hub/${file}`),
      [...hubOutside, ...hubPatterns('leaf')],
    ),
  );
  // types.ts describes a download's request, which carries the disk gate's
  // limits: it may name their types, never their code.
  configs.push(
    restrict(
      ['src/hub/types.ts'],
      [...hubOutside, ...hubPatterns('leaf').map((pattern) => ({ ...pattern, allowTypeImports: true }))],
    ),
  );
  for (const sub of Object.keys(HUB_PARTS)) {
    configs.push(restrict([`src/hub/${sub}/**/*.ts`], [...hubDeep, ...hubPatterns(sub)]));
  }
  return configs;
}
