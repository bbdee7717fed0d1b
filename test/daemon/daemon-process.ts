/**
 * Test helpers for the daemon: run the built `hfsched daemon` as a real child
 * process, read its JSON log lines, send it signals, and wait on conditions
 * by polling (never fixed sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH, isHubVariable } from '../support/cli.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** Every JSON log line so far. */
  logs: LogLine[];
  /** The same lines as printed (JSON.parse would hide a key written twice). */
  logText: string[];
  /** stdout lines that were not JSON, and stderr. */
  otherOutput: string[];
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** SIGKILL if still running, and waits for the exit. */
  kill(): Promise<void>;
}

/** The parent's environment without anything hfsched or the Hub libraries read, plus `extra`. */
export function testEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!isHubVariable(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

export function startDaemon(dbPath: string, env: Record<string, string>): DaemonProcess {
  const child = spawn(process.execPath, [CLI_PATH, '--db', dbPath, 'daemon'], {
    env: testEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const logText: string[] = [];
  const otherOutput: string[] = [];
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
        logText.push(line);
      } catch {
        otherOutput.push(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => otherOutput.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  return {
    child,
    pid: child.pid ?? 0,
    logs,
    logText,
    otherOutput,
    exited,
    async waitForLog(predicate, timeoutMs = 20_000, what = 'a log line') {
      let found: LogLine | undefined;
      await waitFor(
        () => {
          found = logs.find(predicate);
          if (found === undefined && hasExited)
            throw new Error(`daemon exited while waiting for ${what}: ${describe(logs, otherOutput)}`);
          return found !== undefined;
        },
        { timeoutMs, what: () => `${what}; daemon output: ${describe(logs, otherOutput)}` },
      );
      return found as LogLine;
    },
    async kill() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
  };
}

function describe(logs: LogLine[], other: string[]): string {
  const tail = logs.slice(-15).map((line) => JSON.stringify(line));
  return [...tail, ...other.slice(-5)].join('\n');
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Described in the failure message. */
  what?: string | (() => string);
}

/** Polls `condition` until it returns true (or a truthy value); fails after the deadline. */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'a condition');
      throw new Error(`timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${what}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}
