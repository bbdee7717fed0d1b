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

const Database = require('better-sqlite3');
const db = new Database(':memory:');
const { version } = db.prepare('SELECT sqlite_version() AS version').get();
db.close();

console.log(
  `better-sqlite3 OK: ${addon}\n  compiled for NODE_MODULE_VERSION ${builtFor} (Node ${process.version}), SQLite ${version}`,
);
