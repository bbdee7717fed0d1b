/**
 * Runs the built `hfsched` CLI as a real child process and captures what it
 * prints and how it exits. The environment is the parent's minus every
 * variable hfsched or the Hub libraries read, so a developer's own HF_TOKEN
 * or HFSCHED_DB never leaks into a test; tests add what they need.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, next to this compiled file's tree (dist/test/support -> dist/src/cli). */
export const CLI_PATH = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Added to (and overriding) the cleaned environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Passed as the global `--db PATH` before the arguments. */
  dbPath?: string;
  /** Working directory of the child. */
  cwd?: string;
  /** Killed after this long (default 30 s) so a hung CLI fails the test instead of the suite. */
  timeoutMs?: number;
}

const INHERITED_PREFIXES = ['HFSCHED_', 'HF_', 'HUGGINGFACE_', 'XDG_STATE_HOME', 'CREDENTIALS_DIRECTORY'];
/** hfsched honours proxies (docs/proxies.md): a developer's own must not reroute the test Hub's traffic. */
const PROXY_VARIABLES = new Set(['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'node_extra_ca_certs']);

/** Whether hfsched or the Hub libraries read this variable (so a test must not inherit it). */
export function isHubVariable(name: string): boolean {
  return PROXY_VARIABLES.has(name.toLowerCase()) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function cleanEnvironment(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!isHubVariable(name)) env[name] = value;
  }
  // Colour and pagers make output unpredictable.
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const argv = [CLI_PATH, ...(options.dbPath === undefined ? [] : ['--db', options.dbPath]), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: cleanEnvironment(options.env ?? {}),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses the `--json` document a command printed, failing with its output when it is not JSON. */
export function parseJsonOutput<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout, got: ${result.stdout || '(nothing)'}; stderr: ${result.stderr}`);
  }
}
