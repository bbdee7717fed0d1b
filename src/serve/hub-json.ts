/**
 * The JSON the mirror answers, in the Hub's shapes as the clients read them:
 * huggingface_hub's hf_api.py (`ModelInfo`/`DatasetInfo` with `siblings`,
 * `RepoFile`/`RepoFolder`, `GitRefs`) and @huggingface/hub's model-info.ts,
 * list-files.ts and paths-info.ts. Never a `xetHash`: a client with Xet
 * support would then ask a CAS the mirror does not have for the bytes.
 */
import { createHash } from 'node:crypto';
import type { ServedFile, ServedRepo } from './served-repos.js';

export type TreeEntry =
  | {
      type: 'file';
      oid: string;
      size: number;
      path: string;
      lfs?: { oid: string; size: number; pointerSize: number };
      lastCommit?: CommitInfo;
    }
  | { type: 'directory'; oid: string; size: 0; path: string; lastCommit?: CommitInfo };

interface CommitInfo {
  id: string;
  title: string;
  date: string;
}

function sibling(file: ServedFile, withBlobs: boolean): Record<string, unknown> {
  if (!withBlobs) return { rfilename: file.path };
  const entry: Record<string, unknown> = { rfilename: file.path, size: file.size, blobId: file.blobId };
  if (file.lfs !== null) entry.lfs = { sha256: file.lfs.sha256, size: file.size, pointerSize: file.lfs.pointerSize };
  return entry;
}

/** `GET /api/{type}s/{repo}[/revision/{rev}]`: `sha` is the served commit; `?blobs=true` adds sizes and hashes. */
export function repoInfo(repo: ServedRepo, withBlobs: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    _id: createHash('sha1').update(`${repo.repoType}:${repo.repoId}`).digest('hex').slice(0, 24),
    id: repo.repoId,
  };
  if (repo.repoType === 'model') info.modelId = repo.repoId;
  if (repo.repoId.includes('/')) info.author = repo.repoId.split('/')[0];
  Object.assign(info, {
    sha: repo.commit,
    lastModified: repo.lastModified,
    private: false,
    gated: false,
    disabled: false,
    tags: [],
    siblings: repo.files.map((file) => sibling(file, withBlobs)),
  });
  if (withBlobs) info.usedStorage = repo.files.reduce((sum, file) => sum + file.size, 0);
  return info;
}

/** `GET /api/{type}s/{repo}/refs`: the one branch or tag hfsched follows, at the served commit. */
export function repoRefs(repo: ServedRepo): Record<string, unknown> {
  const refs = (kind: 'branch' | 'tag') =>
    repo.revision !== null && repo.revision.kind === kind
      ? [
          {
            name: repo.revision.name,
            ref: `refs/${kind === 'branch' ? 'heads' : 'tags'}/${repo.revision.name}`,
            targetCommit: repo.commit,
          },
        ]
      : [];
  return { branches: refs('branch'), converts: [], tags: refs('tag') };
}

const BY_PATH = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Git tree ids of every folder of the served files ('' is the root), as git
 * computes them (mode, name and binary id per entry, sorted with folders
 * compared as `name/`), so that a folder entry carries a real `oid` (the
 * Python client requires one). They are the trees of what the mirror serves:
 * a repo downloaded with include patterns has other trees on the Hub.
 */
function folderTreeIds(files: readonly ServedFile[]): Map<string, string> {
  const children = new Map<string, { name: string; mode: string; id?: string; folder?: string }[]>();
  const entriesOf = (folder: string) => {
    let list = children.get(folder);
    if (list === undefined) children.set(folder, (list = []));
    return list;
  };
  for (const file of files) {
    const parts = file.path.split('/');
    for (let depth = 0; depth < parts.length - 1; depth++) {
      const parent = parts.slice(0, depth).join('/');
      const folder = parts.slice(0, depth + 1).join('/');
      if (!children.has(folder)) entriesOf(parent).push({ name: parts[depth]!, mode: '40000', folder });
      entriesOf(folder);
    }
    entriesOf(parts.slice(0, -1).join('/')).push({ name: parts.at(-1)!, mode: '100644', id: file.blobId });
  }
  const ids = new Map<string, string>();
  const treeId = (folder: string): string => {
    const known = ids.get(folder);
    if (known !== undefined) return known;
    const entries = entriesOf(folder)
      .map((entry) => ({ ...entry, key: entry.folder === undefined ? entry.name : `${entry.name}/` }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    const body = Buffer.concat(
      entries.map((entry) =>
        Buffer.concat([
          Buffer.from(`${entry.mode} ${entry.name}\0`),
          Buffer.from(entry.folder === undefined ? entry.id! : treeId(entry.folder), 'hex'),
        ]),
      ),
    );
    const id = createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
    ids.set(folder, id);
    return id;
  };
  for (const folder of children.keys()) treeId(folder);
  return ids;
}

const treeIdsOf = new WeakMap<readonly ServedFile[], Map<string, string>>();

function treeIds(repo: ServedRepo): Map<string, string> {
  let ids = treeIdsOf.get(repo.files);
  if (ids === undefined) treeIdsOf.set(repo.files, (ids = folderTreeIds(repo.files)));
  return ids;
}

function commitInfo(repo: ServedRepo): CommitInfo {
  // The commit that last touched each file is not recorded; the served commit stands for it.
  return { id: repo.commit, title: '', date: repo.lastModified };
}

function fileEntry(repo: ServedRepo, file: ServedFile, expand: boolean): TreeEntry {
  const entry: TreeEntry = { type: 'file', oid: file.blobId, size: file.size, path: file.path };
  if (file.lfs !== null) entry.lfs = { oid: file.lfs.sha256, size: file.size, pointerSize: file.lfs.pointerSize };
  if (expand) entry.lastCommit = commitInfo(repo);
  return entry;
}

function folderEntry(repo: ServedRepo, path: string, expand: boolean): TreeEntry {
  const entry: TreeEntry = { type: 'directory', oid: treeIds(repo).get(path)!, size: 0, path };
  if (expand) entry.lastCommit = commitInfo(repo);
  return entry;
}

/**
 * The entries under `folder` ('' for the root), sorted by path: its direct
 * children, or every file and folder below it when recursive. null when
 * `folder` is not a folder of the served files.
 */
export function treeEntries(repo: ServedRepo, folder: string, recursive: boolean, expand: boolean): TreeEntry[] | null {
  if (folder !== '' && !treeIds(repo).has(folder)) return null;
  const prefix = folder === '' ? '' : `${folder}/`;
  const folders = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const file of repo.files) {
    if (!file.path.startsWith(prefix)) continue;
    const rest = file.path.slice(prefix.length).split('/');
    const depth = recursive ? rest.length - 1 : Math.min(1, rest.length - 1);
    for (let i = 1; i <= depth; i++) folders.add(prefix + rest.slice(0, i).join('/'));
    if (recursive || rest.length === 1) entries.push(fileEntry(repo, file, expand));
  }
  for (const path of folders) entries.push(folderEntry(repo, path, expand));
  return entries.sort(BY_PATH);
}

/** `POST …/paths-info/{rev}`: the entries of the asked paths that exist (files or folders), others left out. */
export function pathsInfo(repo: ServedRepo, paths: readonly string[], expand: boolean): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const path of new Set(paths.map((p) => p.replace(/^\/+|\/+$/g, '')))) {
    const file = repo.byPath.get(path);
    if (file !== undefined) entries.push(fileEntry(repo, file, expand));
    else if (path !== '' && treeIds(repo).has(path)) entries.push(folderEntry(repo, path, expand));
  }
  return entries;
}
