/**
 * The Hub's URL shapes, as huggingface_hub (hf_api.py, file_download.py) and
 * @huggingface/hub (packages/hub/src/lib) build them, turned into routes:
 *
 *   GET  /api/{models|datasets}/{repo}[/revision/{rev}]        repo info (?blobs=true)
 *   GET  /api/{models|datasets}/{repo}/tree/{rev}[/{path}]      listing (?recursive=, ?cursor=)
 *   POST /api/{models|datasets}/{repo}/paths-info/{rev}         some paths' entries
 *   GET  /api/{models|datasets}/{repo}/refs                     branches and tags
 *   HEAD|GET /[datasets/]{repo}/resolve/{rev}/{path}             a file
 *
 * A repo id is `name` or `org/name`, so a URL may read two ways
 * (`/api/models/a/tree/main` is repo `a`'s tree, or the info of a repo named
 * `a/tree`...): each reading is kept, most specific first, and the first one
 * naming a served repo wins. A revision is one percent-encoded segment
 * (`refs%2Fpr%2F1`); the Python client also encodes a tree path as one.
 */
import type { RepoType } from '../store/types.js';

export type RouteName = 'repo-info' | 'tree' | 'paths-info' | 'refs' | 'resolve' | 'metrics' | 'other-api' | 'other';

export interface RepoRoute {
  name: 'repo-info' | 'tree' | 'paths-info' | 'refs' | 'resolve';
  repoType: RepoType;
  repoId: string;
  /** null: the default branch (no revision in the URL). */
  revision: string | null;
  /** Tree: the folder ('' for the root); resolve: the file. */
  path: string;
}

export type Route =
  | { name: 'repo'; readings: RepoRoute[] }
  | { name: 'metrics' }
  | { name: 'other-api' }
  | { name: 'other' }
  | { name: 'bad-request'; message: string };

const ACTIONS = new Set(['revision', 'tree', 'paths-info', 'refs']);

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** One reading of `/api/{type}s/` + segments with the repo id taking `idLength` segments, or null. */
function apiReading(repoType: RepoType, segments: string[], idLength: number): RepoRoute | null {
  if (segments.length < idLength) return null;
  const repoId = segments.slice(0, idLength).join('/');
  const [action, ...rest] = segments.slice(idLength);
  if (action === undefined) return { name: 'repo-info', repoType, repoId, revision: null, path: '' };
  if (!ACTIONS.has(action)) return null;
  if (action === 'refs') return rest.length === 0 ? { name: 'refs', repoType, repoId, revision: null, path: '' } : null;
  if (rest.length === 0) return null;
  if (action === 'tree') {
    const [revision, ...path] = rest;
    return { name: 'tree', repoType, repoId, revision: revision!, path: path.join('/') };
  }
  // A revision with unencoded slashes (refs/pr/1) spans several segments.
  return {
    name: action === 'revision' ? 'repo-info' : 'paths-info',
    repoType,
    repoId,
    revision: rest.join('/'),
    path: '',
  };
}

function resolveReading(repoType: RepoType, segments: string[], idLength: number): RepoRoute | null {
  if (segments[idLength] !== 'resolve' || segments.length < idLength + 3) return null;
  const repoId = segments.slice(0, idLength).join('/');
  const revision = segments[idLength + 1]!;
  return { name: 'resolve', repoType, repoId, revision, path: segments.slice(idLength + 2).join('/') };
}

/** Decodes the percent-encoded parts of a reading; null when one is not valid UTF-8 percent-encoding. */
function decoded(reading: RepoRoute): RepoRoute | null {
  const repoId = decode(reading.repoId);
  const revision = reading.revision === null ? null : decode(reading.revision);
  const path = decode(reading.path);
  if (repoId === null || path === null || (reading.revision !== null && revision === null)) return null;
  return { ...reading, repoId, revision, path };
}

export function routeOf(method: string, rawUrl: string): Route {
  const pathname = rawUrl.split('?')[0] ?? '/';
  const segments = pathname.split('/').slice(1);
  if (pathname === '/metrics') return { name: 'metrics' };
  let readings: (RepoRoute | null)[] = [];
  if (segments[0] === 'api') {
    const kind = segments[1];
    if ((kind !== 'models' && kind !== 'datasets') || segments.length < 3) return { name: 'other-api' };
    const repoType: RepoType = kind === 'models' ? 'model' : 'dataset';
    const rest = segments.slice(2);
    readings = [apiReading(repoType, rest, 2), apiReading(repoType, rest, 1)];
    const expected = (reading: RepoRoute | null): boolean =>
      reading !== null &&
      (reading.name === 'paths-info') === (method === 'POST') &&
      (method === 'GET' || method === 'HEAD' || method === 'POST');
    readings = readings.filter(expected);
    if (readings.length === 0) return { name: 'other-api' };
  } else {
    const repoType: RepoType = segments[0] === 'datasets' ? 'dataset' : 'model';
    const rest = repoType === 'dataset' ? segments.slice(1) : segments;
    readings = [resolveReading(repoType, rest, 2), resolveReading(repoType, rest, 1)];
    readings = readings.filter((reading) => reading !== null && (method === 'GET' || method === 'HEAD'));
    if (readings.length === 0) return { name: 'other' };
  }
  const valid = readings.map((reading) => decoded(reading!));
  if (valid.some((reading) => reading === null))
    return { name: 'bad-request', message: 'invalid percent-encoding in the URL' };
  return { name: 'repo', readings: valid as RepoRoute[] };
}

/** A query parameter that says yes: `true`, `True` (Python's str(True)), `1`. */
export function queryFlag(url: URL, name: string): boolean {
  const value = url.searchParams.get(name);
  return value !== null && /^(true|1)$/i.test(value);
}
