// Lints the Dockerfile without a Docker engine (none runs on CI machines):
//  1. dockerfile-utils' validator (what VS Code's Docker support reports),
//     with every configurable rule raised to an error, and any diagnostic,
//     warning or error, failing the run;
//  2. the container rules hfsched promises in its README, checked on the
//     final (runtime) stage: non-root user, volumes, STOPSIGNAL, an init
//     as entrypoint, a CLI health check, no compilers and no npm at run
//     time, and a base image pinned by digest;
//  3. a .dockerignore that keeps local builds and databases out of the context.
// Usage: node .ci/lint-dockerfile.mjs [path/to/Dockerfile]
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const { validate, ValidationSeverity } = require('dockerfile-utils');

const dockerfilePath = process.argv[2] ?? 'Dockerfile';
const content = readFileSync(dockerfilePath, 'utf8');
const problems = [];

// 1. dockerfile-utils
const strict = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};
for (const diagnostic of validate(content, strict)) {
  problems.push(`line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
}

// 2. the runtime stage's promises
/** Instructions as { keyword, args, line }, continuation lines joined, comments dropped. */
function instructions(text) {
  const result = [];
  let pending = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === null && (line === '' || line.startsWith('#'))) return;
    if (pending !== null && line.startsWith('#')) return;
    const body = line.endsWith('\\') ? line.slice(0, -1) : line;
    if (pending === null) {
      const [keyword, ...rest] = body.split(/\s+/);
      pending = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: index + 1 };
    } else {
      pending.args += ` ${body}`;
    }
    if (!line.endsWith('\\')) {
      result.push(pending);
      pending = null;
    }
  });
  if (pending !== null) result.push(pending);
  return result;
}

const all = instructions(content);
const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM');
if (all.filter((i) => i.keyword === 'FROM').length < 2) {
  problems.push('expected a multi-stage build (a build stage and a runtime stage)');
}
const runtime = all.slice(lastFrom);
const find = (keyword) => runtime.filter((i) => i.keyword === keyword);

const users = find('USER');
const finalUser = users.at(-1)?.args.split(':')[0];
if (finalUser === undefined || finalUser === 'root' || finalUser === '0') {
  problems.push('the runtime stage must end with USER set to a non-root user');
}
if (find('VOLUME').length === 0) {
  problems.push('the runtime stage must declare VOLUMEs for the database and the cache');
}
if (!find('STOPSIGNAL').some((i) => i.args === 'SIGTERM')) {
  problems.push('the runtime stage must declare STOPSIGNAL SIGTERM (the daemon shuts down gracefully on it)');
}
const entrypoint = find('ENTRYPOINT').at(-1);
if (entrypoint === undefined || !/^\[\s*"(\/usr\/bin\/)?tini"/.test(entrypoint.args)) {
  problems.push('the ENTRYPOINT must start with tini (exec form) so that SIGTERM reaches the daemon');
}
const healthcheck = find('HEALTHCHECK').at(-1);
if (healthcheck === undefined || !/CMD\s+\[.*"status",\s*"--health"\s*\]/.test(healthcheck.args)) {
  problems.push('the runtime stage must have HEALTHCHECK CMD [... "status", "--health"] (the CLI health check)');
}
const envText = find('ENV')
  .map((i) => i.args)
  .join(' ');
for (const variable of ['HF_HOME', 'HFSCHED_DB']) {
  if (!new RegExp(`\\b${variable}=`).test(envText)) {
    problems.push(`the runtime stage must set ENV ${variable}`);
  }
}
for (const run of find('RUN')) {
  if (
    /(^|\s)(g\+\+|gcc|make|python3|build-essential)(\s|$)/.test(run.args) &&
    /apt-get install|apk add/.test(run.args)
  ) {
    problems.push(`line ${run.line}: build tools belong in the build stage only`);
  }
}

if (!/^\s*ARG NODE_IMAGE=\S+@sha256:[0-9a-f]{64}\s*$/m.test(content)) {
  problems.push('the base image (ARG NODE_IMAGE) must be pinned by digest: name@sha256:<64 hex>');
}
if (!find('RUN').some((run) => /rm -rf [^&]*\/usr\/local\/lib\/node_modules\/npm/.test(run.args))) {
  problems.push(
    'the runtime stage must remove npm (/usr/local/lib/node_modules/npm): nothing installs code at run time',
  );
}

// 3. .dockerignore
const ignorePath = join(dirname(dockerfilePath), '.dockerignore');
if (!existsSync(ignorePath)) {
  problems.push(`${ignorePath} is missing`);
} else {
  const ignored = readFileSync(ignorePath, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const entry of ['node_modules', 'dist', '.git', '*.db']) {
    if (!ignored.includes(entry)) problems.push(`${ignorePath} must exclude ${entry}`);
  }
}

if (problems.length > 0) {
  console.error(`ci: FAILED: ${dockerfilePath} has ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`${dockerfilePath}: no problems (dockerfile-utils, runtime stage rules, .dockerignore)`);
