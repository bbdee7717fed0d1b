/**
 * A blob in the cache whose size is not the size the Hub lists. Its name is
 * its hash, so its bytes decide who is right: when they match the name, the
 * blob is right and the listing is wrong (a broken mirror, a hostile server),
 * and the file fails with the blob kept; huggingface_hub and every reader
 * still trust it. When they do not match, the blob is damaged (it is not what
 * its name says) and is removed, to be fetched again.
 */
import { rmSync } from 'node:fs';
import type { BlobJob } from './blob-fetcher.js';
import { hashFileOnDisk } from '../cache/blob-hash.js';
import type { RepoCacheLayout } from '../cache/cache-layout.js';
import { DownloadError } from '../errors.js';
import { blobStats } from '../cache/safe-paths.js';

/** The size of `blobs/{etag}` when it exists with another size than `job.size`, else null. */
export function disagreeingBlobSize(layout: RepoCacheLayout, job: BlobJob): number | null {
  const stats = blobStats(layout.cacheDir, layout.blobPath(job.etag));
  return stats !== undefined && stats.size !== job.size ? stats.size : null;
}

function hashOfFile(job: BlobJob, path: string, size: number): Promise<string> {
  return hashFileOnDisk(job.algorithm, path, size);
}

/** Throws (keeping the blob) when the blob is right and the listing wrong; removes a damaged blob. */
export async function settleSizeDisagreement(layout: RepoCacheLayout, job: BlobJob, actualSize: number): Promise<void> {
  const path = layout.blobPath(job.etag);
  if ((await hashOfFile(job, path, actualSize)) === job.etag) {
    throw new DownloadError(
      `the Hub lists ${job.size} bytes for ${JSON.stringify(job.path)} of "${layout.repoId}", but the cached blob ${job.etag} holds ${actualSize} bytes whose hash is its name: the listing is wrong and the blob was kept; check hub.endpoint / HF_ENDPOINT`,
    );
  }
  rmSync(path, { force: true });
}
