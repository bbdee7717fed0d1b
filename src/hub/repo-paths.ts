/**
 * Names that come from the user or the server and end up in URLs and file
 * paths: repository ids, revisions, file paths, etags. Each is checked before
 * anything is written, so that nothing can land outside the cache.
 */
import { ValidationError } from '../errors.js';

const COMMIT_HASH = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const GIT_SHA1 = /^[0-9a-f]{40}$/;

/** The kinds of repository the Hub serves that hfsched downloads (spaces are not downloaded). */
export type HubRepoType = 'model' | 'dataset';

/**
 * `org/name` -> `models--org--name` (`datasets--org--name` for a dataset),
 * the repository's folder in the cache (file_download.repo_folder_name).
 */
export function repoFolderName(repoId: string, repoType: HubRepoType = 'model'): string {
  return [`${repoType}s`, ...repoId.split('/')].join('--');
}

export function isCommitHash(revision: string): boolean {
  return COMMIT_HASH.test(revision);
}

/** Why a relative path from outside is unsafe to join under a folder, or null if it is safe. */
function unsafeReason(path: string): string | null {
  if (path === '') return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL byte';
  if (path.includes('\\')) return 'it contains a backslash';
  if (path.startsWith('/')) return 'it is absolute';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return 'it contains a ".." segment';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'it contains an empty or "." segment';
  return null;
}

/** A file path listed by the server; refused if it could escape the snapshot folder. */
export function assertSafeRepoPath(path: string, repoId: string): void {
  const reason = unsafeReason(path);
  if (reason !== null) {
    throw new ValidationError(
      `refusing file ${JSON.stringify(path)} listed by "${repoId}": ${reason}, so it could be written outside the cache; exclude it with --exclude or report the repository`,
    );
  }
}

/** A revision becomes `refs/{revision}` (it may hold slashes, like `refs/pr/1`). */
export function assertSafeRevision(revision: string): void {
  const reason = unsafeReason(revision);
  if (reason !== null) {
    throw new ValidationError(`revision ${JSON.stringify(revision)} is not a valid branch, tag or commit: ${reason}`);
  }
}

/** An etag becomes `blobs/{etag}`: only hex hashes are accepted. */
export function isValidEtag(etag: string, lfs: boolean): boolean {
  return lfs ? SHA256.test(etag) : GIT_SHA1.test(etag);
}
