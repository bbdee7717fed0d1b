/**
 * What every command group shares: the database path (global `--db`), a way
 * to open the store for exactly one command, the bootstrap environment, and
 * the output. Command files receive it from run.ts with the program.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readBootstrapEnv, type BootstrapEnv } from '../config/env.js';
import { readSettings, type Settings } from '../config/settings.js';
import { openStore, type Store } from '../store/index.js';
import { Output } from './output.js';

export interface CliContext {
  /** The environment the CLI runs with (process.env). */
  readonly env: NodeJS.ProcessEnv;
  readonly output: Output;
  /** HFSCHED_DB, HFSCHED_LOG_LEVEL, HFSCHED_LOG_PRETTY, validated (ValidationError otherwise). */
  bootstrap(): BootstrapEnv;
  /** Absolute database path: `--db`, else HFSCHED_DB, else the per-user default. */
  databasePath(): string;
  /**
   * Opens the store (ConnectionError "run hfsched init" when there is no
   * database), runs `work`, and closes the connection whatever happens.
   */
  withStore<T>(work: (store: Store) => T | Promise<T>): Promise<T>;
  /** The effective settings (environment over database over defaults). */
  settings(store: Store): Settings;
}

export function createContext(program: Command, env: NodeJS.ProcessEnv, output: Output): CliContext {
  let bootstrapEnv: BootstrapEnv | null = null;
  const context: CliContext = {
    env,
    output,
    bootstrap() {
      bootstrapEnv ??= readBootstrapEnv(env);
      return bootstrapEnv;
    },
    databasePath() {
      const fromOption = program.opts<{ db?: string }>().db;
      return resolve(fromOption ?? context.bootstrap().databasePath);
    },
    async withStore(work) {
      const store = openStore(context.databasePath());
      try {
        return await work(store);
      } finally {
        store.close();
      }
    },
    settings(store) {
      return readSettings(store, env);
    },
  };
  return context;
}
