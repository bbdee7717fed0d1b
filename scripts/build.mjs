// `npm run build`: compiles the project (tsc) and bundles the CLI into one
// file (esbuild), in a folder of its own beside dist/, then moves each file
// into dist/ with a rename. A rename replaces a file at once, so a CLI started
// while the build runs loads either the old bundle or the new one, never a
// half-written file nor a missing one (`npm start` used to delete dist/ first).
// Files of the last build that this one did not make are removed afterwards.
//
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-changed build only when an input changed since
//                                       the last build (what `npm start` runs)
//
// The CLI is two bundles, each with its source map: dist/src/cli/run.js holds
// our code and the pure-JavaScript dependencies, so that Node reads one file
// at start-up instead of about 130 (docs/performance.md, "Start-up"), and
// dist/src/cli/main.js, the entry, answers `hfsched --version` by itself and
// imports run.js for every other command. Node compiles a whole bundle when
// it loads it, which was most of `--version`'s time. Native addons stay
// outside, as do the modules loaded with createRequire (env-schema,
// cli-progress, pino-pretty) and the large packages few commands need (undici,
// yaml, prom-client, pino), which Node loads from node_modules when needed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
// Beside dist/ and as deep, so that the source maps' relative paths stay right once moved.
const next = join(root, `.dist-next-${process.pid}`);
const stampPath = join(dist, '.build-stamp');
const INPUTS = ['src', 'test', 'bench', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** The CLI's two bundles: the entry, and the program it imports (both relative to the project and to dist/). */
const CLI_ENTRY = 'src/cli/main.ts';
const CLI_OUT = 'src/cli/main.js';
const CLI_PROGRAM = 'src/cli/run.ts';
/** How main.ts imports CLI_PROGRAM: left as it is in main.js, so that --version does not compile the program. */
const CLI_PROGRAM_IMPORT = './run.js';
/**
 * Not bundled, required at first use (see requiredAtFirstUse): native addons (a .node file cannot be
 * inlined), and the large packages few commands need, which Node would otherwise compile at every start
 * (`hfsched --version` compiled 2.4 MiB, 1.0 of it undici, used only through a proxy; yaml, 0.25, only by
 * apply; prom-client with its dependencies, 0.17 of the 1.1 left, only by the daemon's and serve's metrics;
 * pino with its own, 0.14, only by their logs).
 */
const EXTERNAL = ['better-sqlite3', 'fs-ext', 'pino', 'prom-client', 'undici', 'yaml'];

/** Every file under `path` (or `path` itself), relative to `base`. */
function filesUnder(path, base = path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [relative(base, path)];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(path, entry.name), base) : [relative(base, join(path, entry.name))],
  );
}

/** What the build is made from: each input file's path, size and modification time. */
function inputStamp() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of filesUnder(join(root, input), root).sort()) {
      const stats = statSync(join(root, file));
      hash.update(`${file} ${stats.size} ${stats.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

function compile() {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', next], { stdio: 'inherit' });
}

async function bundleCli() {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, CLI_ENTRY), join(root, CLI_PROGRAM)],
    outdir: join(next, dirname(CLI_OUT)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    plugins: [requiredAtFirstUse(EXTERNAL), programImportedByEntry()],
    // Bundled CommonJS dependencies call require() for Node's own modules; ES modules have none.
    banner: {
      js: "import { createRequire as hfschedCreateRequire } from 'node:module';\nconst require = hfschedCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

/**
 * Leaves `packages` out of the bundle, required when the module that imports
 * them first runs rather than imported at the bundle's top (where esbuild puts
 * an external import). Our modules behind main.ts's dynamic imports run inside
 * its try block, so a package missing from node_modules (an install without
 * `npm ci`) ends the command with main.ts's one-line message, not a stack trace.
 */
function requiredAtFirstUse(packages) {
  // Package names hold no character a regular expression treats specially but '.', escaped here.
  const filter = new RegExp(`^(${packages.map((name) => name.replaceAll('.', '\\.')).join('|')})$`);
  return {
    name: 'required-at-first-use',
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === 'required-at-first-use'
          ? { path: args.path, external: true }
          : { path: args.path, namespace: 'required-at-first-use' },
      );
      build.onLoad({ filter: /.*/, namespace: 'required-at-first-use' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** Keeps main.ts's import of the program out of main.js: the program is its own bundle (run.js). */
function programImportedByEntry() {
  const entry = join(root, CLI_ENTRY);
  return {
    name: 'program-imported-by-entry',
    setup(build) {
      const filter = new RegExp(`^${CLI_PROGRAM_IMPORT.replaceAll('.', '\\.')}$`);
      build.onResolve({ filter }, (args) =>
        args.importer === entry ? { path: args.path, external: true } : undefined,
      );
    },
  };
}

/** Moves every file of the new build into dist/, one rename each, then removes what the last build left. */
function install() {
  // The entry last: a CLI started meanwhile that finds the new main.js finds the run.js it imports.
  const made = filesUnder(next).sort((a, b) => Number(a.startsWith(CLI_OUT)) - Number(b.startsWith(CLI_OUT)));
  for (const file of made) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    renameSync(join(next, file), join(dist, file));
  }
  const kept = new Set(made);
  for (const file of filesUnder(dist)) {
    if (!kept.has(file) && file !== '.build-stamp') unlinkSync(join(dist, file));
  }
  removeEmptyFolders(dist);
}

function removeEmptyFolders(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(join(folder, entry.name));
  }
  if (folder !== dist && readdirSync(folder).length === 0) rmdirSync(folder);
}

const ifChanged = process.argv.includes('--if-changed');
const stamp = inputStamp();
if (
  ifChanged &&
  existsSync(join(dist, CLI_OUT)) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, 'utf8') === stamp
) {
  process.stderr.write('build: dist/ is up to date\n');
} else {
  rmSync(next, { recursive: true, force: true });
  try {
    compile();
    await bundleCli();
    install();
    writeFileSync(stampPath, stamp);
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
}
