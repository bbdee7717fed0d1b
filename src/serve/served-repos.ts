/**
 * What the mirror serves: the repositories hfsched manages, each at the one
 * commit it last completed (the model's current commit, with the files and
 * hashes recorded at that completion), narrowed by `serve.expose`. A branch
 * or tag is answered with that commit, so it moves only once a new snapshot
 * is whole. Nothing here touches the network or writes anything.
 */
import { createHash } from 'node:crypto';
import { fnmatchcase } from '../hub/index.js';
import type { Model, ModelFile, RepoType } from '../store/types.js';

/** The part of the store the mirror reads (the real Store satisfies it). */
export interface ServedStore {
  models: {
    byName(name: string, repoType?: RepoType): Model | null;
    files(id: number): ModelFile[];
  };
}

export interface ServedFile {
  /** Path in the repository, `/` between folders. */
  path: string;
  size: number;
  /** The git blob id: of the content, or of the LFS pointer for LFS files (as the Hub lists it). */
  blobId: string;
  /** LFS files: the content's sha256 and the size of the pointer git stores. */
  lfs: { sha256: string; pointerSize: number } | null;
  /** The blob's name in the cache (sha256 for LFS files, the git blob id otherwise). */
  etag: string;
}

export interface ServedRepo {
  repoType: RepoType;
  repoId: string;
  commit: string;
  /** The branch or tag hfsched follows for it; null when it was added at a commit. */
  revision: { name: string; kind: 'branch' | 'tag' } | null;
  /** Sorted by path. */
  files: ServedFile[];
  byPath: Map<string, ServedFile>;
  /** When the model's record last changed (ISO 8601): the Hub's `lastModified`. */
  lastModified: string;
}

/** The pointer file git stores for an LFS file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
function lfsPointer(sha256: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}

/** git's blob id: sha1 of "blob {size}\0" and the content. */
function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function servedFile(file: ModelFile): ServedFile {
  if (file.hashKind === 'gitsha1') {
    return { path: file.path, size: file.size, blobId: file.hash, lfs: null, etag: file.hash };
  }
  const pointer = lfsPointer(file.hash, file.size);
  return {
    path: file.path,
    size: file.size,
    blobId: gitBlobId(pointer),
    lfs: { sha256: file.hash, pointerSize: pointer.length },
    etag: file.hash,
  };
}

/** How a client names a repo to `serve.expose`: `org/name`, and `datasets/org/name` for a dataset. */
export function exposedName(repoType: RepoType, repoId: string): string {
  return repoType === 'dataset' ? `datasets/${repoId}` : repoId;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** The revision a model follows: a tracked one follows a branch; a pinned name is a tag (model-update.ts pins tags). */
function followedRevision(model: Model): ServedRepo['revision'] {
  const name = model.revision ?? 'main';
  if (COMMIT.test(name)) return null;
  return { name, kind: model.tracking || name === 'main' ? 'branch' : 'tag' };
}

interface Remembered {
  modelId: number;
  commit: string;
  files: ServedFile[];
  byPath: Map<string, ServedFile>;
}

export class ServedRepos {
  /** Files per repo at its commit: read again only when the commit changes. */
  private readonly remembered = new Map<string, Remembered>();
  private exposeKey = '';
  private exposed: ((name: string) => boolean) | null = null;

  constructor(
    private readonly store: ServedStore,
    /** `serve.expose`, read at each lookup (it may change while serving). */
    private readonly expose: () => readonly string[],
  ) {}

  private isExposed(name: string): boolean {
    const patterns = this.expose();
    if (patterns.length === 0) return true;
    const key = patterns.join(',');
    if (this.exposed === null || key !== this.exposeKey) {
      const matchers = patterns.map(fnmatchcase);
      this.exposed = (name) => matchers.some((matches) => matches(name));
      this.exposeKey = key;
    }
    return this.exposed(name);
  }

  /**
   * The repo as served now, or null when hfsched does not manage it, it has
   * no completed snapshot with recorded hashes, verify found it damaged (it
   * waits for repair), or `serve.expose` leaves it out.
   */
  find(repoType: RepoType, repoId: string): ServedRepo | null {
    if (!this.isExposed(exposedName(repoType, repoId))) return null;
    const model = this.store.models.byName(repoId, repoType);
    if (model === null || model.currentCommit === null || model.statusReason !== null) return null;
    const key = `${repoType}:${repoId}`;
    let known = this.remembered.get(key);
    if (known === undefined || known.modelId !== model.id || known.commit !== model.currentCommit) {
      const files = this.store.models
        .files(model.id)
        .map(servedFile)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      known = { modelId: model.id, commit: model.currentCommit, files, byPath: new Map(files.map((f) => [f.path, f])) };
      this.remembered.set(key, known);
    }
    if (known.files.length === 0) return null;
    return {
      repoType,
      repoId: model.name,
      commit: known.commit,
      revision: followedRevision(model),
      files: known.files,
      byPath: known.byPath,
      lastModified: model.updatedAt,
    };
  }

  /**
   * The commit a client's revision means, or null (RevisionNotFound): the
   * commit itself, or the branch or tag hfsched follows for the repo.
   * `HEAD` is the default branch, as on the Hub.
   */
  static commitFor(repo: ServedRepo, revision: string | null): string | null {
    const asked = revision === null || revision === 'HEAD' ? 'main' : revision;
    if (asked === repo.commit) return repo.commit;
    return repo.revision !== null && repo.revision.name === asked ? repo.commit : null;
  }
}
