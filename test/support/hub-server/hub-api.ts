/**
 * The JSON of the Hub's model API, shaped as huggingface_hub's hf_api.py
 * reads it: `ModelInfo` (revision endpoint, `siblings`, with `?blobs=true`
 * sizes, blob ids and LFS info) and `RepoFile`/`RepoFolder` (tree endpoint).
 */
import { createHash } from 'node:crypto';
import type { StoredFile, StoredRepo, StoredRevision } from './repo-store.js';

const FIXED_DATE = '2024-01-02T03:04:05.000Z';

function lfsInfo(file: StoredFile): { sha256: string; size: number; pointerSize: number } {
  return { sha256: file.sha256, size: file.size, pointerSize: file.pointerSize };
}

export function revisionInfo(repo: StoredRepo, rev: StoredRevision, withBlobs: boolean): Record<string, unknown> {
  const [author] = repo.id.includes('/') ? repo.id.split('/') : [undefined];
  const siblings = rev.files.map((file) => {
    if (!withBlobs) return { rfilename: file.path };
    return file.lfs
      ? { rfilename: file.path, size: file.size, blobId: file.blobId, lfs: lfsInfo(file) }
      : { rfilename: file.path, size: file.size, blobId: file.blobId };
  });
  const info: Record<string, unknown> = {
    _id: createHash('sha1').update(repo.id).digest('hex').slice(0, 24),
    id: repo.id,
    modelId: repo.id,
    sha: rev.commit,
    lastModified: FIXED_DATE,
    createdAt: FIXED_DATE,
    private: repo.private,
    gated: repo.gated ? 'manual' : false,
    disabled: false,
    tags: [],
    siblings,
  };
  if (author !== undefined) info['author'] = author;
  if (withBlobs) info['usedStorage'] = rev.files.reduce((sum, f) => sum + f.size, 0);
  return info;
}

/** `GET /api/models/{id}/refs` (hf_api.list_repo_refs): branches and tags with the commit each points at. */
export function repoRefs(repo: StoredRepo): Record<string, unknown> {
  const ref = (kind: 'heads' | 'tags', rev: StoredRevision) => ({
    name: rev.name,
    ref: `refs/${kind}/${rev.name}`,
    targetCommit: rev.commit,
  });
  const revisions = [...repo.revisions.values()];
  return {
    branches: revisions.filter((rev) => !repo.tags.has(rev.name)).map((rev) => ref('heads', rev)),
    converts: [],
    tags: revisions.filter((rev) => repo.tags.has(rev.name)).map((rev) => ref('tags', rev)),
  };
}

export type TreeEntry =
  | {
      type: 'file';
      oid: string;
      size: number;
      path: string;
      lfs?: { oid: string; size: number; pointerSize: number };
      /** Xet-backed files only, as the Hub lists them (hf_api.py RepoFile reads `xetHash`). */
      xetHash?: string;
    }
  | { type: 'directory'; oid: string; size: 0; path: string };

/**
 * The entries under `folder` ('' for the root): direct children, or all
 * descendants when recursive. Null when `folder` is not a folder of this revision.
 */
export function treeEntries(rev: StoredRevision, folder: string, recursive: boolean): TreeEntry[] | null {
  const prefix = folder === '' ? '' : `${folder}/`;
  const files = rev.files.filter((f) => f.path.startsWith(prefix));
  if (folder !== '' && files.length === 0) return null;
  const folders = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const file of files) {
    const rest = file.path.slice(prefix.length).split('/');
    const depth = recursive ? rest.length - 1 : Math.min(1, rest.length - 1);
    for (let i = 1; i <= depth; i++) folders.add(prefix + rest.slice(0, i).join('/'));
    if (!recursive && rest.length > 1) continue;
    entries.push(
      file.lfs
        ? {
            type: 'file',
            oid: file.blobId,
            size: file.size,
            path: file.path,
            lfs: { oid: file.sha256, size: file.size, pointerSize: file.pointerSize },
            ...(file.xetHash === null ? {} : { xetHash: file.xetHash }),
          }
        : { type: 'file', oid: file.blobId, size: file.size, path: file.path },
    );
  }
  for (const path of folders) {
    const oid = createHash('sha1').update(`tree ${rev.commit} ${path}`).digest('hex');
    entries.push({ type: 'directory', oid, size: 0, path });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The opaque `cursor` of a tree page: the index of its first entry. */
export function encodeCursor(index: number): string {
  return Buffer.from(`offset:${index}`).toString('base64url');
}

export function decodeCursor(cursor: string | null): number | null {
  if (cursor === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : null;
}
