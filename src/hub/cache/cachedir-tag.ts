/**
 * `CACHEDIR.TAG` at the cache root, as huggingface_hub 1.x leaves it: the
 * Cache Directory Tagging signature (https://bford.info/cachedir/), so that
 * backup tools (tar --exclude-caches, restic, borg) skip what can be
 * downloaded again. An existing tag, whoever wrote it, is left as it is.
 */
import { constants, closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const TAG = `Signature: 8a477f597d28d172789f06886806bc55
# This file is a cache directory tag created by hfsched for the Hugging Face cache.
# For information about cache directory tags, see:
#\thttps://bford.info/cachedir/
`;

/** Writes the tag unless one is there; best effort (a read-only cache is still usable). */
export function ensureCacheDirTag(cacheDir: string): void {
  try {
    // O_EXCL: never replaces one; O_NOFOLLOW: never writes through a planted link.
    const fd = openSync(
      join(cacheDir, 'CACHEDIR.TAG'),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
    try {
      writeSync(fd, TAG);
    } finally {
      closeSync(fd);
    }
  } catch {
    // EEXIST (the usual case) or a cache we cannot write to: nothing to do.
  }
}
