/**
 * The Hugging Face cache is made of symbolic links (snapshots/ -> blobs/).
 * Some file systems have none: vfat and exFAT (USB disks, SD cards), some
 * CIFS/SMB mounts. huggingface_hub finds out the same way, by creating a link
 * in the cache folder (file_download.py, `are_symlinks_supported`), and then
 * stores degraded copies; hfsched refuses instead, before it fetches
 * anything, with a message that says what to do (docs/sharing-the-cache.md,
 * "No symbolic links"): its resume, dedup, verify and prune work on blobs and
 * links, and a copy per revision would double the disk a budget counts.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConstraintError } from '../../errors.js';

/**
 * Per cache folder, once per process (as huggingface_hub caches its answer).
 * Kept here, not in a HubRuntime: it is a fact of the file system under a
 * folder, the same whichever runtime asks, and asking again would only cost
 * a probe.
 */
const checked = new Map<string, Promise<boolean>>();

async function trySymlink(cacheDir: string): Promise<boolean> {
  const probe = await mkdtemp(join(cacheDir, '.hfsched-symlink-probe-'));
  try {
    await symlink('target', join(probe, 'link'));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EINVAL') return false;
    throw error;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/** Whether `cacheDir` (which must exist) takes symbolic links. */
export function symlinksSupported(cacheDir: string): Promise<boolean> {
  let answer = checked.get(cacheDir);
  if (answer === undefined) {
    answer = trySymlink(cacheDir);
    checked.set(cacheDir, answer);
    answer.catch(() => checked.delete(cacheDir));
  }
  return answer;
}

export async function assertSymlinksSupported(cacheDir: string): Promise<void> {
  if (await symlinksSupported(cacheDir)) return;
  throw new ConstraintError(
    `the cache folder ${cacheDir} is on a file system without symbolic links (vfat, exFAT, some CIFS mounts), and the Hugging Face cache is made of them; nothing was downloaded: put the cache (hub.cache_dir / HF_HUB_CACHE) on a file system with symbolic links (ext4, xfs, btrfs, zfs, NFS)`,
  );
}
