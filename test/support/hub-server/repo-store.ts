/**
 * The repositories the test Hub serves: revisions, commits, file hashes,
 * renamed ids. Hashes are computed once, when a repository is added; files on
 * disk are hashed in chunks so that a 1 GiB file is never held in memory.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { HubFileInfo, HubFileSpec, HubRepoSpec } from './types.js';

/** Where a file's bytes come from. */
/** Bytes in memory, or a file on disk read `repeat` times over. */
export type BlobSource = { kind: 'buffer'; data: Buffer } | { kind: 'disk'; path: string; repeat: number };

export interface StoredFile extends HubFileInfo {
  path: string;
  source: BlobSource;
}

export interface StoredRevision {
  name: string;
  commit: string;
  /** Sorted by path. */
  files: StoredFile[];
  byPath: Map<string, StoredFile>;
}

export interface StoredRepo {
  id: string;
  type: 'model' | 'dataset';
  private: boolean;
  gated: boolean;
  gatedAccessGranted: boolean;
  /** Revision names that are tags (the others are branches). */
  tags: Set<string>;
  /** LFS files are Xet-backed (types.ts HubRepoSpec.xet). */
  xet: boolean;
  revisions: Map<string, StoredRevision>;
  byCommit: Map<string, StoredRevision>;
}

// The extensions huggingface_hub's default .gitattributes sends to LFS (subset), and the 10 MiB rule.
const LFS_EXTENSIONS = ['.safetensors', '.bin', '.gguf', '.pt', '.onnx', '.h5', '.msgpack'];
const LFS_SIZE_THRESHOLD = 10 * 1024 * 1024;
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

/** The pointer file git stores in place of an LFS file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
export function lfsPointer(sha256: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}

/** git's blob id: sha1 of "blob {size}\0" followed by the content. */
export function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

function hashDiskFile(path: string, size: number): { sha256: string; blobId: string } {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      sha256.update(chunk);
      sha1.update(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: sha256.digest('hex'), blobId: sha1.digest('hex') };
}

function defaultLfs(path: string, size: number): boolean {
  const lower = path.toLowerCase();
  return size >= LFS_SIZE_THRESHOLD || LFS_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * The test Hub's stand-in for a Xet file hash: 64 hex derived from the
 * content's sha256, so identical bytes get the same hash in every repo, and
 * never equal to the sha256 (the real one is a Merkle hash of Xet chunks).
 */
export function testXetHash(sha256: string): string {
  return createHash('sha256').update(`test-hub-xet\0${sha256}`).digest('hex');
}

function storeFile(spec: HubFileSpec, xet: boolean): StoredFile {
  let source: BlobSource;
  let size: number;
  let sha256: string;
  let contentBlobId: string | null;
  const content = spec.content;
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    source = { kind: 'buffer', data };
    size = data.length;
    sha256 = createHash('sha256').update(data).digest('hex');
    contentBlobId = gitBlobSha1(data);
  } else {
    const repeat = content.repeat ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1 || (repeat > 1 && (content.sha256 === undefined || spec.lfs !== true)))
      throw new Error(`${spec.path}: repeat must be a whole number >= 1, and above 1 needs sha256 and lfs: true`);
    source = { kind: 'disk', path: content.diskPath, repeat };
    size = statSync(content.diskPath).size * repeat;
    const lfsGuess = spec.lfs ?? defaultLfs(spec.path, size);
    // An LFS file's blob id is the pointer's, so only the sha256 is needed then.
    const needsHashing = content.sha256 === undefined || (!lfsGuess && content.blobId === undefined);
    const hashed = needsHashing ? hashDiskFile(content.diskPath, size) : null;
    sha256 = content.sha256 ?? hashed!.sha256;
    contentBlobId = content.blobId ?? hashed?.blobId ?? null;
  }
  const lfs = spec.lfs ?? defaultLfs(spec.path, size);
  const pointer = lfsPointer(sha256, size);
  const blobId = lfs ? gitBlobSha1(pointer) : contentBlobId!;
  return {
    path: spec.path,
    source,
    size,
    lfs,
    sha256,
    blobId,
    etag: lfs ? sha256 : blobId,
    pointerSize: lfs ? pointer.length : 0,
    xetHash: lfs && xet ? testXetHash(sha256) : null,
  };
}

function validatePath(repoId: string, path: string): void {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`test Hub: repo ${repoId} has an invalid file path "${path}"`);
  }
}

/** Deterministic commit: sha1 of the repo id, the revision name and the file list with blob ids. */
function commitHash(repoId: string, revision: string, files: StoredFile[]): string {
  const hash = createHash('sha1').update(`${repoId}\0${revision}\0`);
  for (const file of files) hash.update(`${file.path} ${file.blobId}\n`);
  return hash.digest('hex');
}

/** How the store (and the tests) name a repository: its id, or `datasets/{id}` for a dataset. */
export function repoKey(type: 'model' | 'dataset' | undefined, id: string): string {
  return type === 'dataset' ? `datasets/${id}` : id;
}

function buildRevision(
  repoId: string,
  name: string,
  fileSpecs: HubFileSpec[],
  salt: string,
  xet: boolean,
): StoredRevision {
  const files = fileSpecs.map((fileSpec) => {
    validatePath(repoId, fileSpec.path);
    return storeFile(fileSpec, xet);
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    name,
    commit: commitHash(repoId, name + salt, files),
    files,
    byPath: new Map(files.map((f) => [f.path, f])),
  };
}

export class RepoStore {
  private readonly repos = new Map<string, StoredRepo>();
  private readonly aliases = new Map<string, string>();
  /** sha256 -> a file with that content, for the CDN. */
  private readonly blobs = new Map<string, StoredFile>();

  addRepo(spec: HubRepoSpec): void {
    const repo: StoredRepo = {
      id: spec.id,
      type: spec.type ?? 'model',
      private: spec.private ?? false,
      gated: spec.gated ?? false,
      gatedAccessGranted: spec.gatedAccessGranted ?? false,
      tags: new Set(spec.tags ?? []),
      xet: spec.xet ?? true,
      revisions: new Map(),
      byCommit: new Map(),
    };
    for (const [name, fileSpecs] of Object.entries(spec.revisions)) this.setRevision(repo, name, fileSpecs, '');
    this.repos.set(repoKey(spec.type, spec.id), repo);
    for (const oldId of spec.renamedFrom ?? []) this.addAlias(oldId, spec.id);
  }

  /** A branch moves to a new commit; the commit it left stays reachable by its hash. */
  moveBranch(key: string, branch: string, fileSpecs: HubFileSpec[]): string {
    const repo = this.repos.get(key);
    if (!repo) throw new Error(`test Hub: no repo ${key}`);
    // The salt tells the new commit apart from any earlier one with the same files.
    return this.setRevision(repo, branch, fileSpecs, `\0push ${repo.byCommit.size}`).commit;
  }

  private setRevision(repo: StoredRepo, name: string, fileSpecs: HubFileSpec[], salt: string): StoredRevision {
    const revision = buildRevision(repo.id, name, fileSpecs, salt, repo.xet);
    repo.revisions.set(name, revision);
    repo.byCommit.set(revision.commit, revision);
    for (const file of revision.files) if (file.lfs) this.blobs.set(file.sha256, file);
    return revision;
  }

  addAlias(oldId: string, newId: string): void {
    this.aliases.set(oldId, newId);
  }

  repo(id: string): StoredRepo | undefined {
    return this.repos.get(id);
  }

  /** The new id of a renamed repository, or undefined. */
  aliasOf(id: string): string | undefined {
    return this.repos.has(id) ? undefined : this.aliases.get(id);
  }

  has(id: string): boolean {
    return this.repos.has(id) || this.aliases.has(id);
  }

  /** A branch or tag name, or a 40-hex commit of one of them. */
  revision(repo: StoredRepo, revision: string): StoredRevision | undefined {
    return repo.revisions.get(revision) ?? repo.byCommit.get(revision.toLowerCase());
  }

  blob(sha256: string): StoredFile | undefined {
    return this.blobs.get(sha256);
  }

  /** For the test-facing API: throws with a clear message when something is unknown. */
  lookup(
    repoId: string,
    revision: string,
    path?: string,
  ): { repo: StoredRepo; rev: StoredRevision; file?: StoredFile } {
    const repo = this.repos.get(repoId);
    if (!repo) throw new Error(`test Hub: no repo ${repoId}`);
    const rev = this.revision(repo, revision);
    if (!rev) throw new Error(`test Hub: repo ${repoId} has no revision ${revision}`);
    if (path === undefined) return { repo, rev };
    const file = rev.byPath.get(path);
    if (!file) throw new Error(`test Hub: repo ${repoId}@${revision} has no file ${path}`);
    return { repo, rev, file };
  }
}
