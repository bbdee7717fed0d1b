/**
 * The standard Hugging Face cache layout for one repository
 * (huggingface_hub/file_download.py; docs: https://huggingface.co/docs/huggingface_hub/guides/manage-cache):
 *
 *   {cacheDir}/models--{org}--{name}/blobs/{etag}             the file's bytes, named by hash
 *   {cacheDir}/models--{org}--{name}/blobs/{etag}.incomplete  a partial download
 *   {cacheDir}/models--{org}--{name}/refs/{revision}          the commit a branch or tag points at
 *   {cacheDir}/models--{org}--{name}/snapshots/{commit}/{path} relative symlink to the blob
 *   {cacheDir}/.locks/models--{org}--{name}/{etag}.lock
 *
 * Datasets are the same under `datasets--{org}--{name}` (constants.REPO_TYPES_URL_PREFIXES).
 *
 * `{etag}.incomplete.ranges` is ours: which byte ranges of a multi-connection
 * partial file are on disk. Readers ignore it like they ignore `.incomplete`.
 */
import { join } from 'node:path';
import { repoFolderName, type HubRepoType } from '../repo-paths.js';

export class RepoCacheLayout {
  /** `{cacheDir}/models--org--name` (`datasets--org--name` for a dataset) */
  readonly repoDir: string;
  readonly blobsDir: string;
  readonly locksDir: string;
  readonly refsDir: string;
  readonly snapshotsDir: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
    readonly repoType: HubRepoType = 'model',
  ) {
    const folder = repoFolderName(repoId, repoType);
    this.repoDir = join(cacheDir, folder);
    this.blobsDir = join(this.repoDir, 'blobs');
    this.refsDir = join(this.repoDir, 'refs');
    this.snapshotsDir = join(this.repoDir, 'snapshots');
    this.locksDir = join(cacheDir, '.locks', folder);
  }

  blobPath(etag: string): string {
    return join(this.blobsDir, etag);
  }

  incompletePath(etag: string): string {
    return join(this.blobsDir, `${etag}.incomplete`);
  }

  rangesPath(etag: string): string {
    return join(this.blobsDir, `${etag}.incomplete.ranges`);
  }

  lockPath(etag: string): string {
    return join(this.locksDir, `${etag}.lock`);
  }

  /** Callers check the revision with assertSafeRevision first. */
  refPath(revision: string): string {
    return join(this.repoDir, 'refs', ...revision.split('/'));
  }

  snapshotDir(commit: string): string {
    return join(this.repoDir, 'snapshots', commit);
  }

  /** Callers check the path with assertSafeRepoPath first. */
  snapshotFilePath(commit: string, repoPath: string): string {
    return join(this.snapshotDir(commit), ...repoPath.split('/'));
  }
}
