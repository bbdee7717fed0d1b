/**
 * Checks a snapshot on disk against the hashes recorded when it was
 * downloaded, without the network: each `snapshots/{commit}/{path}` must be a
 * link to `blobs/{etag}`, and that blob must hold `size` bytes whose hash
 * (sha256 for LFS files, git blob sha1 otherwise) is the etag. The bytes are
 * hashed by the downloads' own hash code (blob-sink.ts), each blob once.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { hashFileOnDisk } from './blob-hash.js';
import { RepoCacheLayout } from './cache-layout.js';
import { blobContent } from './shared-blobs.js';
import { assertSafeRepoPath, type HubRepoType } from '../repo-paths.js';
import type { SnapshotFile } from '../types.js';

/** What is wrong with one file: `copy` is a file with the right bytes where a link should be. */
export type FileProblem = 'missing' | 'corrupt' | 'copy';

export interface FileCheck {
  path: string;
  problem: FileProblem;
  /** One line for a person: what was found. */
  detail: string;
  /** The etag of a blob to discard before the repair (wrong bytes under its hash's name), or null. */
  corruptBlob: string | null;
}

export interface VerifyProgress {
  totalBytes: number;
  doneBytes: number;
  fileCount: number;
  filesDone: number;
  /** The file being hashed, or null between files. */
  current: string | null;
}

export interface VerifyRequest {
  cacheDir: string;
  repoId: string;
  repoType?: HubRepoType;
  commit: string;
  files: readonly SnapshotFile[];
  signal?: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyResult {
  checkedFiles: number;
  checkedBytes: number;
  problems: FileCheck[];
}

type ContentState = 'ok' | 'missing' | { wrong: string };

/**
 * Whether the file at `path` holds the file's bytes. A blob may be a link
 * into the shared store (shared-blobs.ts), whose entry is then read; a link
 * of any other shape counts as missing, never followed.
 */
async function checkContent(cacheDir: string, path: string, file: SnapshotFile): Promise<ContentState> {
  const content = blobContent(cacheDir, path);
  if (content === undefined) return 'missing';
  const { stats } = content;
  path = content.entry ?? path;
  if (stats.size !== file.size) return { wrong: `${stats.size} bytes, ${file.size} expected` };
  const digest = await hashFileOnDisk(file.algorithm, path, file.size);
  if (digest === file.etag) return 'ok';
  return {
    wrong: `its ${file.algorithm === 'sha256' ? 'sha256' : 'git blob sha1'} is ${digest}, ${file.etag} expected`,
  };
}

export async function verifySnapshot(request: VerifyRequest): Promise<VerifyResult> {
  const layout = new RepoCacheLayout(request.cacheDir, request.repoId, request.repoType ?? 'model');
  const totalBytes = request.files.reduce((sum, file) => sum + file.size, 0);
  const progress: VerifyProgress = {
    totalBytes,
    doneBytes: 0,
    fileCount: request.files.length,
    filesDone: 0,
    current: null,
  };
  const blobStates = new Map<string, ContentState>();
  const problems: FileCheck[] = [];
  const report = (
    problem: FileProblem,
    file: SnapshotFile,
    detail: string,
    corruptBlob: string | null = null,
  ): void => {
    problems.push({ path: file.path, problem, detail, corruptBlob });
  };

  for (const file of request.files) {
    request.signal?.throwIfAborted();
    assertSafeRepoPath(file.path, request.repoId);
    progress.current = file.path;
    request.onProgress?.({ ...progress });
    const linkPath = layout.snapshotFilePath(request.commit, file.path);
    const blobPath = layout.blobPath(file.etag);
    let blob = blobStates.get(file.etag);
    if (blob === undefined) {
      blob = await checkContent(request.cacheDir, blobPath, file);
      blobStates.set(file.etag, blob);
    }
    const entry = lstatSync(linkPath, { throwIfNoEntry: false });
    if (entry?.isFile()) {
      // A copy (e.g. made by `cp -L` or a tool that resolved the links): right bytes or not?
      const copy = await checkContent(request.cacheDir, linkPath, file);
      if (copy === 'ok') report('copy', file, 'a copy of the file where a link to its blob should be');
      else
        report(
          'corrupt',
          file,
          `a damaged copy where a link should be: ${typeof copy === 'object' ? copy.wrong : 'unreadable'}`,
        );
    } else if (entry === undefined || !entry.isSymbolicLink()) {
      report(
        'missing',
        file,
        entry === undefined ? 'the snapshot has no entry for it' : 'something else is in its place',
      );
    } else if (readlinkSync(linkPath) !== relative(dirname(linkPath), blobPath)) {
      report('corrupt', file, `the link points to ${readlinkSync(linkPath)}, not to its blob`);
    } else if (blob === 'missing') {
      report('missing', file, `its blob ${file.etag} is gone`);
    } else if (blob !== 'ok') {
      report('corrupt', file, `its blob is damaged: ${blob.wrong}`, file.etag);
    }
    progress.doneBytes += file.size;
    progress.filesDone += 1;
    progress.current = null;
    request.onProgress?.({ ...progress });
  }
  return { checkedFiles: request.files.length, checkedBytes: totalBytes, problems };
}
