/**
 * The cache-wide shared blob store of huggingface_hub 1.x (`_shared_blobs.py`,
 * https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/_shared_blobs.py):
 * a Xet-backed file is stored once for the whole cache, and each repository's
 * `blobs/{etag}` is a relative link to it.
 *
 *   {cache}/blobs/.huggingface-shared-blobs   the marker, "1\n": an unmarked blobs/ is never used
 *   {cache}/blobs/{xx}/{xet}                  the entry: a regular, read-only file ({xx} = xet[:2])
 *   {cache}/blobs/{xx}/{xet}.refs             one line per repo blob linking to it (models--o--n/blobs/{etag})
 *   {cache}/blobs/{xx}/{xet}.lock             flock(2) taken for every change of the entry or its manifest
 *   {cache}/models--o--n/blobs/{etag}  ->  ../../blobs/{xx}/{xet}
 *
 * Every change follows the official order, so that a manifest never misses a
 * link that exists: under the lock, a temporary link beside the blob, the
 * manifest line appended and fsynced, then the rename over the blob. The
 * manifest is a hint: collecting keeps only lines whose link still points
 * at the entry, deletes the entry only when none is left, and keeps it when
 * the manifest is missing or unreadable (a leak, never lost bytes).
 *
 * Sharing is best effort: any failure leaves the repo blob a regular file,
 * and a download never fails because of the store.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { acquireBlobLock } from './blob-lock.js';
import { hashFileOnDisk } from './blob-hash.js';
import { fsyncDirectory } from './durable-files.js';
import { sharedStoreEntryOf } from './safe-paths.js';

export const STORE_DIR_NAME = 'blobs';
export const STORE_MARKER_NAME = '.huggingface-shared-blobs';
const STORE_LAYOUT_VERSION = '1\n';
const XET_HASH = /^[0-9a-f]{64}$/;
const REPO_FOLDER = /^(?:models|datasets|spaces)--.+$/;
/** A store change holds the lock for milliseconds; waiting longer means something is stuck: share later. */
const LOCK_WAIT_MS = 30_000;

/** huggingface_hub's constants._is_true: what turns a HF_HUB_DISABLE_* variable on. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.toUpperCase());
}

/** Off with HF_HUB_DISABLE_SHARED_BLOBS or HF_HUB_DISABLE_XET, as `shared_blobs_enabled()`. */
export function sharedBlobsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !isTrue(env['HF_HUB_DISABLE_SHARED_BLOBS']) && !isTrue(env['HF_HUB_DISABLE_XET']);
}

export function isXetHash(value: string): boolean {
  return XET_HASH.test(value);
}

export function storeDir(cacheDir: string): string {
  return join(cacheDir, STORE_DIR_NAME);
}

export function storeEntryPath(cacheDir: string, xetHash: string): string {
  return join(storeDir(cacheDir), xetHash.slice(0, 2), xetHash);
}

const lstatOrNone = (path: string): Stats | undefined => lstatSync(path, { throwIfNoEntry: false });

/** A real folder holding the marker, a regular file whose content is exactly "1\n". */
export function isSharedStore(cacheDir: string): boolean {
  const dir = storeDir(cacheDir);
  const marker = join(dir, STORE_MARKER_NAME);
  if (lstatOrNone(dir)?.isDirectory() !== true || lstatOrNone(marker)?.isFile() !== true) return false;
  try {
    return readFileSync(marker, 'utf8') === STORE_LAYOUT_VERSION;
  } catch {
    return false;
  }
}

/**
 * `models--o--n/blobs/{name}` for a repo blob of this cache (what a manifest
 * line says), or null when the path is no such blob.
 */
function manifestLineOf(cacheDir: string, blobPath: string): string | null {
  const parts = relative(resolve(cacheDir), resolve(blobPath)).split(sep);
  if (parts.length !== 3 || !REPO_FOLDER.test(parts[0]!) || parts[1] !== 'blobs' || parts[2] === '') return null;
  const line = parts.join('/');
  return /[\n\r]/.test(line) ? null : line;
}

/**
 * The one link shape accepted in a repo's `blobs/` (safe-paths.ts,
 * sharedStoreEntryOf, decides it for the whole cache): a relative link to
 * `{cache}/blobs/{xx}/{xet}` (xx = the hash's first two hex digits), whose
 * target is a regular file in a real prefix folder; here also inside a
 * marked store. Returns the entry's path, or null for any other link (or no link).
 */
export function storeEntryOf(cacheDir: string, blobPath: string): string | null {
  if (manifestLineOf(cacheDir, blobPath) === null || lstatOrNone(blobPath)?.isSymbolicLink() !== true) return null;
  const entry = sharedStoreEntryOf(cacheDir, blobPath);
  return entry !== null && isSharedStore(cacheDir) ? entry : null;
}

/** Where a relative link into the store points (`{cache}/blobs/{xx}/{xet}`), existing or not; null otherwise. */
function linkTargetInStore(cacheDir: string, blobPath: string): string | null {
  let target: string;
  try {
    target = readlinkSync(blobPath);
  } catch {
    return null;
  }
  if (isAbsolute(target)) return null;
  const entry = resolve(dirname(blobPath), target);
  const parts = relative(resolve(storeDir(cacheDir)), entry).split(sep);
  if (parts.length !== 2) return null;
  const [prefix, hash] = parts as [string, string];
  return XET_HASH.test(hash) && prefix === hash.slice(0, 2) ? entry : null;
}

/**
 * What a repo blob holds: its own stats when it is a regular file, the
 * entry's (with its path) when it is a store link, undefined otherwise (no
 * blob, or a link of another shape: not ours to follow).
 */
export function blobContent(cacheDir: string, blobPath: string): { stats: Stats; entry: string | null } | undefined {
  const stats = lstatOrNone(blobPath);
  if (stats === undefined) return undefined;
  if (stats.isFile()) return { stats, entry: null };
  const entry = stats.isSymbolicLink() ? storeEntryOf(cacheDir, blobPath) : null;
  if (entry === null) return undefined;
  const entryStats = lstatOrNone(entry);
  return entryStats === undefined ? undefined : { stats: entryStats, entry };
}

/** The official modes: entries read-only, readable by group/others when they can traverse the cache root. */
function entryMode(cacheDir: string): number {
  const rootMode = statSync(cacheDir).mode & 0o777;
  return 0o400 | (rootMode & 0o010 ? 0o040 : 0) | (rootMode & 0o001 ? 0o004 : 0);
}

/** Store folders mirror the cache root's access bits (and setgid, sticky). */
function folderMode(cacheDir: string): number {
  // 0o2000 setgid, 0o1000 sticky (Node's fs.constants does not name them).
  return statSync(cacheDir).mode & (0o777 | 0o2000 | 0o1000);
}

function ensureFolderMode(path: string, cacheDir: string): void {
  const wanted = folderMode(cacheDir);
  if ((lstatSync(path).mode & 0o7777) !== wanted) chmodSync(path, wanted);
}

const tempSuffix = (): string => randomBytes(4).toString('hex');

/**
 * Creates and marks the store when there is none: an empty `blobs/` is
 * adopted, one holding anything else is not (it is not ours). True when a
 * marked store is there afterwards.
 */
export function ensureSharedStore(cacheDir: string): boolean {
  const dir = storeDir(cacheDir);
  try {
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isSharedStore(cacheDir)) return true;
    if (lstatOrNone(dir)?.isDirectory() !== true) return false;
    const strays = readdirSync(dir).filter((name) => !/^\.huggingface-shared-blobs\.[0-9a-f]{8}\.tmp$/.test(name));
    if (strays.length > 0) return false;
    ensureFolderMode(dir, cacheDir);
    const marker = join(dir, STORE_MARKER_NAME);
    const aside = `${marker}.${tempSuffix()}.tmp`;
    try {
      const fd = openSync(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW);
      try {
        writeSync(fd, STORE_LAYOUT_VERSION);
        fchmodSync(fd, entryMode(cacheDir));
      } finally {
        closeSync(fd);
      }
      renameSync(aside, marker);
    } finally {
      rmSync(aside, { force: true });
    }
    return isSharedStore(cacheDir);
  } catch {
    return false;
  }
}

/** The entry's prefix folder, created with the store's mode; null when it cannot be (or is not a real folder). */
function ensurePrefixFolder(cacheDir: string, xetHash: string): string | null {
  if (!ensureSharedStore(cacheDir)) return null;
  const prefix = dirname(storeEntryPath(cacheDir, xetHash));
  try {
    try {
      mkdirSync(prefix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lstatOrNone(prefix)?.isDirectory() !== true) return null;
    ensureFolderMode(prefix, cacheDir);
    return prefix;
  } catch {
    return null;
  }
}

/**
 * Runs `body` holding `{xet}.lock`: the lock file is opened without following
 * a link and made writable by all (0666, as the official client does, so that
 * every user of a shared cache can lock it), then flock(2)ed (blob-lock.ts).
 */
async function withEntryLock<T>(entry: string, body: () => T | Promise<T>): Promise<T> {
  const lockPath = `${entry}.lock`;
  const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o666);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${lockPath} is not a regular file`);
    try {
      fchmodSync(fd, 0o666);
    } catch {
      // Someone else's lock file: theirs to keep writable.
    }
  } finally {
    closeSync(fd);
  }
  const lock = await acquireBlobLock(lockPath, AbortSignal.timeout(LOCK_WAIT_MS));
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

/** Appends one manifest line and fsyncs it, before the link it names is made visible. */
function appendManifestLine(entry: string, line: string): void {
  const fd = openSync(
    `${entry}.refs`,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o666,
  );
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${entry}.refs is not a regular file`);
    try {
      fchmodSync(fd, 0o666);
    } catch {
      // As above.
    }
    const bytes = Buffer.from(`${line}\n`);
    if (writeSync(fd, bytes) !== bytes.length) throw new Error(`short write to ${entry}.refs`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `.{etag}.{8 hex}.shared` beside the blob, a relative link to the entry. */
function temporaryLink(blobPath: string, entry: string): string {
  const link = join(dirname(blobPath), `.${basename(blobPath)}.${tempSuffix()}.shared`);
  symlinkSync(relative(dirname(blobPath), entry), link);
  return link;
}

/** A regular file of the expected size that we can read: what the official client calls usable. */
function isUsableEntry(entry: string, size: number): boolean {
  const stats = lstatOrNone(entry);
  if (stats === undefined || !stats.isFile() || stats.size !== size) return false;
  try {
    closeSync(openSync(entry, constants.O_RDONLY | constants.O_NOFOLLOW));
    return true;
  } catch {
    return false;
  }
}

/**
 * Entries whose sha256 this process has checked, by path, inode, size and
 * change time: an entry is read-only and only ever replaced by a rename, so
 * an unchanged inode means unchanged bytes, and each entry is hashed once.
 * Kept here, not in a HubRuntime: it is a fact of the files that every use
 * checks again (a changed entry has another inode or change time), so no
 * runtime can see another's answer go stale.
 */
const verifiedEntries = new Map<string, string>();

function identity(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.ctimeMs}`;
}

/** Whether the entry's bytes hash to `sha256` (computed once per entry and process). */
async function entryHasSha256(entry: string, size: number, sha256: string): Promise<boolean> {
  const before = lstatOrNone(entry);
  if (before === undefined || !before.isFile()) return false;
  const key = `${entry}\0${sha256}`;
  if (verifiedEntries.get(key) === identity(before)) return true;
  const digest = await hashFileOnDisk('sha256', entry, size).catch(() => null);
  const after = lstatOrNone(entry);
  if (digest !== sha256 || after === undefined || identity(after) !== identity(before)) return false;
  verifiedEntries.set(key, identity(before));
  return true;
}

export interface StoreBlob {
  cacheDir: string;
  /** The repo blob: `{cache}/models--o--n/blobs/{etag}`. */
  blobPath: string;
  xetHash: string;
  size: number;
  /** The content's sha256 (the etag of an LFS file): an entry is linked only when its bytes have it. */
  sha256: string;
}

/**
 * Makes `blobs/{etag}` a link to an entry already in the store, instead of
 * downloading it. Only an entry of the right size whose sha256 is the
 * file's (checked once: every byte hfsched serves is verified). False, with
 * nothing changed, when there is no such entry or anything fails.
 */
export async function linkFromStore(blob: StoreBlob): Promise<boolean> {
  const { cacheDir, blobPath, xetHash, size } = blob;
  const line = manifestLineOf(cacheDir, blobPath);
  if (!sharedBlobsEnabled() || !XET_HASH.test(xetHash) || line === null || !isSharedStore(cacheDir)) return false;
  const entry = storeEntryPath(cacheDir, xetHash);
  if (!isUsableEntry(entry, size) || !(await entryHasSha256(entry, size, blob.sha256))) return false;
  let link: string | null = null;
  try {
    return await withEntryLock(entry, async () => {
      // Checked again under the lock: the entry may have been collected meanwhile.
      if (!isUsableEntry(entry, size) || !(await entryHasSha256(entry, size, blob.sha256))) return false;
      link = temporaryLink(blobPath, entry);
      appendManifestLine(entry, line);
      renameSync(link, blobPath);
      link = null;
      return true;
    });
  } catch {
    return false;
  } finally {
    if (link !== null) rmSync(link, { force: true });
  }
}

/**
 * Moves a freshly downloaded and verified blob into the store and leaves a
 * link in its place (the same protocol). When the store already holds the
 * entry (another repo, another client), our copy is dropped for it, but only
 * once the entry's sha256 is checked. Creates and marks the store when there
 * is none. False when the blob stays a regular file.
 */
export async function publishToStore(blob: StoreBlob): Promise<boolean> {
  const { cacheDir, blobPath, xetHash, size } = blob;
  const line = manifestLineOf(cacheDir, blobPath);
  if (!sharedBlobsEnabled() || !XET_HASH.test(xetHash) || line === null) return false;
  if (lstatOrNone(blobPath)?.isFile() !== true) return false;
  const prefix = ensurePrefixFolder(cacheDir, xetHash);
  if (prefix === null) return false;
  const entry = storeEntryPath(cacheDir, xetHash);
  let link: string | null = null;
  let moved = false;
  try {
    return await withEntryLock(entry, async () => {
      const reuse = isUsableEntry(entry, size) && (await entryHasSha256(entry, size, blob.sha256));
      if (!reuse && lstatOrNone(entry) !== undefined && !isUsableEntry(entry, size)) {
        // Something unusable has the entry's name (wrong size, not a file): not ours to replace.
        return false;
      }
      link = temporaryLink(blobPath, entry);
      appendManifestLine(entry, line);
      if (!reuse) {
        chmodSync(blobPath, entryMode(cacheDir));
        renameSync(blobPath, entry);
        moved = true;
        verifiedEntries.set(`${entry}\0${blob.sha256}`, identity(lstatSync(entry)));
      }
      renameSync(link, blobPath);
      link = null;
      // The entry's name, durable before a ref names a snapshot that needs it (the caller fsyncs blobs/).
      if (moved) fsyncDirectory(prefix);
      return true;
    });
  } catch {
    // The bytes moved but the link did not follow: put a copy back, so the repo keeps its blob.
    if (moved && lstatOrNone(blobPath) === undefined) copyFileSync(entry, blobPath);
    return false;
  } finally {
    if (link !== null) rmSync(link, { force: true });
  }
}

/**
 * The manifest's lines whose link still points at `entry`; null when the
 * manifest is missing or unreadable, or a line cannot be checked (then
 * nothing may be deleted).
 */
function validReferences(cacheDir: string, entry: string): string[] | null {
  const manifest = `${entry}.refs`;
  if (lstatOrNone(manifest)?.isFile() !== true) return null;
  let lines: string[];
  try {
    lines = readFileSync(manifest, 'utf8').split('\n');
  } catch {
    return null;
  }
  const valid = new Set<string>();
  for (const line of lines) {
    if (line === '' || line.startsWith('/') || line.split('/').includes('..')) continue;
    const blobPath = join(cacheDir, ...line.split('/'));
    if (manifestLineOf(cacheDir, blobPath) === null) continue;
    let stats: Stats | undefined;
    try {
      stats = lstatOrNone(blobPath);
    } catch {
      return null;
    }
    if (stats?.isSymbolicLink() === true && linkTargetInStore(cacheDir, blobPath) === resolve(entry)) valid.add(line);
  }
  return [...valid].sort();
}

/**
 * The bytes collecting `entry` would free once the links `blobPaths` are
 * gone: its size when they are all its valid references, else 0 (for a dry run).
 */
export function entryFreedIfUnlinked(cacheDir: string, entry: string, blobPaths: readonly string[]): number {
  const references = validReferences(cacheDir, entry);
  if (references === null) return 0;
  const going = new Set(blobPaths.map((path) => manifestLineOf(cacheDir, path)));
  if (!references.every((line) => going.has(line))) return 0;
  return lstatOrNone(entry)?.size ?? 0;
}

/** Replaces the manifest by `lines` (aside, fsync, rename). */
function rewriteManifest(entry: string, lines: string[]): void {
  const manifest = `${entry}.refs`;
  const aside = `${manifest}.${tempSuffix()}.tmp`;
  try {
    const fd = openSync(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    try {
      writeSync(fd, lines.map((line) => `${line}\n`).join(''));
      fchmodSync(fd, 0o666);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(aside, manifest);
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Collects one entry after links to it were removed: under its lock, keeps
 * the manifest lines still valid, and deletes entry and manifest only when
 * none is left. Returns the bytes freed (0 when the entry stays).
 */
export async function collectEntry(cacheDir: string, entry: string): Promise<number> {
  const parts = relative(resolve(storeDir(cacheDir)), resolve(entry)).split(sep);
  if (parts.length !== 2 || !XET_HASH.test(parts[1]!) || parts[0] !== parts[1]!.slice(0, 2)) return 0;
  if (!isSharedStore(cacheDir) || lstatOrNone(dirname(entry))?.isDirectory() !== true) return 0;
  try {
    return await withEntryLock(entry, () => {
      const references = validReferences(cacheDir, entry);
      if (references === null) return 0;
      if (references.length > 0) {
        rewriteManifest(entry, references);
        return 0;
      }
      const stats = lstatOrNone(entry);
      if (stats === undefined || !stats.isFile()) return 0;
      unlinkSync(entry);
      rmSync(`${entry}.refs`, { force: true });
      return stats.size;
    });
  } catch {
    return 0;
  }
}

/** Every entry of a marked store (regular files named by a Xet hash in their prefix folder). */
export function storeEntries(cacheDir: string): string[] {
  if (!isSharedStore(cacheDir)) return [];
  const entries: string[] = [];
  const dir = storeDir(cacheDir);
  for (const prefix of readdirSync(dir)) {
    const prefixDir = join(dir, prefix);
    if (!/^[0-9a-f]{2}$/.test(prefix) || lstatOrNone(prefixDir)?.isDirectory() !== true) continue;
    for (const name of readdirSync(prefixDir)) {
      const entry = join(prefixDir, name);
      if (XET_HASH.test(name) && name.startsWith(prefix) && lstatOrNone(entry)?.isFile() === true) entries.push(entry);
    }
  }
  return entries.sort();
}

/** Entries whose manifest is readable and names no valid link, with their sizes (what `cache prune` collects). */
export function unreferencedEntries(cacheDir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of storeEntries(cacheDir)) {
    const references = validReferences(cacheDir, entry);
    const stats = lstatOrNone(entry);
    if (references !== null && references.length === 0 && stats !== undefined) found.set(entry, stats.size);
  }
  return found;
}

/**
 * Collects every entry no manifest line references any more (`cache prune`):
 * each under its lock, by collectEntry's rule. With `dryRun`, only counts.
 */
export async function collectUnreferencedEntries(
  cacheDir: string,
  dryRun: boolean,
): Promise<{ entries: number; freedBytes: number }> {
  const found = unreferencedEntries(cacheDir);
  if (dryRun) return { entries: found.size, freedBytes: [...found.values()].reduce((sum, size) => sum + size, 0) };
  let entries = 0;
  let freedBytes = 0;
  for (const entry of found.keys()) {
    const freed = await collectEntry(cacheDir, entry);
    if (freed > 0 || lstatOrNone(entry) === undefined) entries += 1;
    freedBytes += freed;
  }
  return { entries, freedBytes };
}
