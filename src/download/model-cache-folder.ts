/**
 * Where a model's files are: the cache folder recorded when it was
 * downloaded (migration 010), which may not be the one the current
 * environment resolves. The daemon under systemd or in a container has its
 * own HF_HOME; an admin's shell has another. Commands that read or delete a
 * model's files (verify, model remove --purge, cache list, cache prune) look
 * in the model's folder, and say so when it is not the current one.
 */
import { resolve } from 'node:path';
import { resolveHubLocation } from '../config/hub-location.js';
import type { Settings } from '../config/settings.js';
import type { Model } from '../store/types.js';

export interface ModelCacheFolder {
  /** Where the model's files are (the current environment's folder for a model never downloaded). */
  cacheDir: string;
  /** The folder the current environment resolves (hub.cache_dir, HF_HUB_CACHE, HF_HOME, ...). */
  currentCacheDir: string;
  /** The two differ. */
  elsewhere: boolean;
}

export function modelCacheFolder(model: Model, settings: Settings, env: NodeJS.ProcessEnv): ModelCacheFolder {
  const currentCacheDir = resolveHubLocation(settings, env).cacheDir;
  const cacheDir = model.cacheDir ?? currentCacheDir;
  return { cacheDir, currentCacheDir, elsewhere: resolve(cacheDir) !== resolve(currentCacheDir) };
}

/** "org/name is in /srv/hf/hub, where it was downloaded; this environment's cache is /home/u/.cache/huggingface/hub" */
export function elsewhereNote(name: string, folder: ModelCacheFolder): string {
  return `${name} is in ${folder.cacheDir}, where it was downloaded; this environment's cache is ${folder.currentCacheDir}`;
}
