// Proves that `npm ci` compiled better-sqlite3 for the Node running this
// script: the addon file exists, node-gyp built it for this Node's ABI
// (NODE_MODULE_VERSION), and it loads and answers a query.
// npm 11 runs an install script only for packages that package.json's
// `allowScripts` approves; if that approval is lost, `npm ci` still succeeds
// but leaves no addon, and every database test would fail far from the cause.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));

function fail(message) {
  console.error(`ci: FAILED: ${message}`);
  process.exit(1);
}

let packageDir;
try {
  packageDir = dirname(require.resolve('better-sqlite3/package.json'));
} catch {
  fail('better-sqlite3 is not installed in node_modules; run `npm ci` first');
}

const addon = join(packageDir, 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(addon)) {
  fail(
    `${addon} is missing: npm ci did not run better-sqlite3's install script ` +
      '(check "allowScripts" in package.json and the npm output above)',
  );
}

// node-gyp records the ABI it compiled for in build/config.gypi.
const gypConfig = readFileSync(join(packageDir, 'build', 'config.gypi'), 'utf8');
const builtFor = /"node_module_version":\s*(\d+)/.exec(gypConfig)?.[1];
if (builtFor !== process.versions.modules) {
  fail(
    `better-sqlite3 was compiled for NODE_MODULE_VERSION ${builtFor ?? 'unknown'}, ` +
      `but Node ${process.version} needs ${process.versions.modules}; check npm_config_nodedir`,
  );
}

// Node 24.19 changed node_object_wrap.h: node::ObjectWrap now registers an
// environment cleanup hook and removes it in its destructor, which aborts the
// process ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook)
// when V8 collects a better-sqlite3 <= 12 Statement at exit or at an unlucky
// moment: https://github.com/nodejs/node/issues/65446. The crash follows the
// headers the addon was compiled against, not the Node it runs on, so
// compiling against 24.18.1 headers gives an addon that runs on every 24.x.
const nodedir = /"nodedir":\s*"([^"]*)"/.exec(gypConfig)?.[1];
const { version: addonVersion } = require('better-sqlite3/package.json');
const objectWrapHeader = nodedir === undefined ? null : join(nodedir, 'include', 'node', 'node_object_wrap.h');
if (
  Number(addonVersion.split('.')[0]) <= 12 &&
  objectWrapHeader !== null &&
  existsSync(objectWrapHeader) &&
  readFileSync(objectWrapHeader, 'utf8').includes('AddEnvironmentCleanupHook')
) {
  fail(
    `better-sqlite3 ${addonVersion} was compiled against ${nodedir}, whose node::ObjectWrap ` +
      'registers cleanup hooks (Node >= 24.19): it aborts at exit (nodejs/node#65446). ' +
      'Compile it against Node 24.18.1 headers (npm_config_nodedir) or an older major.',
  );
}

const Database = require('better-sqlite3');
const db = new Database(':memory:');
const { version } = db.prepare('SELECT sqlite_version() AS version').get();
db.close();

console.log(
  `better-sqlite3 ${addonVersion} OK: ${addon}\n` +
    `  compiled for NODE_MODULE_VERSION ${builtFor} (Node ${process.version}) with the headers in ${nodedir ?? 'unknown'}; SQLite ${version}`,
);

// fs-ext gives us flock(2), the lock huggingface_hub's FileLock takes on
// .locks/…/<etag>.lock. Like better-sqlite3 it is compiled at install; prove
// it loaded and that a second exclusive, non-blocking lock on the same file
// from another descriptor is refused (flock locks belong to the open file).
const fsExt = require('fs-ext');
const { openSync, closeSync, rmSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const lockPath = join(tmpdir(), `hfsched-ci-flock-${process.pid}.lock`);
const first = openSync(lockPath, 'w');
const second = openSync(lockPath, 'w');
fsExt.flockSync(first, 'exnb');
let refused = false;
try {
  fsExt.flockSync(second, 'exnb');
} catch (error) {
  refused = error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK';
}
closeSync(first);
closeSync(second);
rmSync(lockPath, { force: true });
if (!refused) fail('fs-ext loaded, but flock(LOCK_EX|LOCK_NB) on an already locked file was not refused');
console.log(`fs-ext ${require('fs-ext/package.json').version} OK: flock(2) works`);
