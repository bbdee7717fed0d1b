/**
 * Node's compile cache (module.enableCompileCache, from Node 22.1): V8 keeps
 * the code it compiled for run.js on disk, and the next start reads it back
 * instead of compiling the 1.1 MiB program again, most of a command's
 * start-up after Node's own. Node 20 has no such cache: nothing happens there.
 *
 * The cache is per user, beside the other caches
 * (`$XDG_CACHE_HOME/hfsched/node-compile-cache`, else
 * `~/.cache/hfsched/node-compile-cache`). A folder that cannot be made or
 * written only means no cache: Node reports it in the status it returns,
 * which this ignores, and never throws. NODE_COMPILE_CACHE (a folder of the
 * user's choice, enabled by Node at start) and NODE_DISABLE_COMPILE_CACHE win.
 */
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Absent from Node 20 (and from its types, which the project compiles against). */
type EnableCompileCache = (directory: string) => unknown;

/** `$XDG_CACHE_HOME/hfsched/node-compile-cache`, else `~/.cache/hfsched/node-compile-cache`. */
export function compileCacheFolder(env: NodeJS.ProcessEnv): string {
  const xdgCache = env.XDG_CACHE_HOME;
  // The XDG base directory rules ignore a relative path.
  const cacheHome = xdgCache !== undefined && isAbsolute(xdgCache) ? xdgCache : join(homedir(), '.cache');
  return join(cacheHome, 'hfsched', 'node-compile-cache');
}

/** Enables the compile cache for the modules loaded from now on, where Node has one. */
export function enableCompileCache(env: NodeJS.ProcessEnv): void {
  const enable = (nodeModule as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  enable?.(compileCacheFolder(env));
}
