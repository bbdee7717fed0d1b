/**
 * The declarative model set read by `hfsched apply -f FILE` (docs/apply.md):
 * YAML with three optional sections, `models`, `schedule` and `settings`.
 * Every value is checked here, before anything is written, and a bad value is
 * reported with the file, line and column of the YAML node that holds it
 * (yaml's LineCounter), so a typo in a 200-line ConfigMap is found at once.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import {
  checked,
  filePosition,
  mappingEntries,
  ModelSetFileError,
  scalarText,
  wholeNumber,
  type FilePosition,
} from './file-position.js';
import { findSettingSpec, validateSettingValue } from '../config/settings.js';
import { validateRepoId } from '../repo-id.js';
import { validatePatterns, validateRevision } from '../store/index.js';
import { REPO_TYPES, type RepoType } from '../store/types.js';
import { parseScheduleEntry, type DesiredSchedule } from './schedule-entry.js';

/** A 40-hex commit never moves: it cannot be tracked. */
const COMMIT_HASH = /^[0-9a-f]{40}$/i;

/** Whether a model follows its branch: as the file says, else unless its revision is a commit hash. */
export function effectiveTracking(model: Pick<DesiredModel, 'track' | 'revision'>): boolean {
  return model.track ?? !(model.revision !== null && COMMIT_HASH.test(model.revision));
}

export interface DesiredModel {
  repo: string;
  type: RepoType;
  /** null: `main`. */
  revision: string | null;
  include: string[];
  exclude: string[];
  /** null: the default, tracked unless the revision is a commit hash (see docs/apply.md). */
  track: boolean | null;
  /** 1-based line of the entry, for messages. */
  line: number;
}

export interface DesiredSetting {
  key: string;
  /** Canonical text, as `hfsched config set` stores it. */
  value: string;
  line: number;
}

export interface ModelSetFile {
  /** The file as named by the user, for messages. */
  source: string;
  models: DesiredModel[];
  /**
   * Whether the file has a `models:` list, even an empty one (`models: []`).
   * An empty file, a `models:` without a list or a settings-only file has
   * none: `--prune` refuses it, since it would remove every model.
   */
  modelsListed: boolean;
  /** undefined: the file has no `schedule` section and schedules are left alone. */
  schedule: DesiredSchedule | undefined;
  settings: DesiredSetting[];
}

/** The largest model set file read: what a Kubernetes ConfigMap can hold (1 MiB). */
export const MODEL_SET_MAX_BYTES = 1024 * 1024;

const TOP_LEVEL_KEYS = ['version', 'models', 'schedule', 'settings'] as const;
const MODEL_KEYS = ['repo', 'type', 'revision', 'include', 'exclude', 'track'] as const;

function patternList(at: FilePosition, node: Node | null | undefined, what: string): string[] {
  if (node === null || node === undefined) return [];
  const texts = isSeq(node)
    ? node.items.map((item) => scalarText(at, item as Node, `each ${what} pattern`))
    : [scalarText(at, node, what)];
  return checked(at, node, () => validatePatterns(texts, `${what} patterns`));
}

function parseModel(at: FilePosition, node: Node, index: number): DesiredModel {
  const what = `models[${index}]`;
  const entries = mappingEntries(at, node, what, MODEL_KEYS);
  const repoNode = entries.get('repo');
  if (repoNode === undefined) at.fail(node, `${what}: "repo" is required (a repo id like "org/name")`);
  const repo = checked(at, repoNode.value, () => validateRepoId(scalarText(at, repoNode.value, `${what}.repo`)));

  const typeNode = entries.get('type')?.value;
  const typeText = typeNode === undefined ? 'model' : scalarText(at, typeNode, `${what}.type`);
  if (!(REPO_TYPES as readonly string[]).includes(typeText)) {
    at.fail(typeNode, `${what}.type: "${typeText}" is not a repo type; expected ${REPO_TYPES.join(' or ')}`);
  }

  const revisionNode = entries.get('revision')?.value;
  const revision =
    revisionNode === undefined
      ? null
      : checked(at, revisionNode, () => validateRevision(scalarText(at, revisionNode, `${what}.revision`)));

  const trackNode = entries.get('track')?.value;
  let track: boolean | null = null;
  if (trackNode !== undefined) {
    if (!isScalar(trackNode) || typeof trackNode.value !== 'boolean') {
      at.fail(trackNode, `${what}.track must be true or false`);
    }
    track = trackNode.value;
    if (track && revision !== null && COMMIT_HASH.test(revision)) {
      at.fail(trackNode, `${what}.track: revision ${revision} is a commit, which never moves; it cannot be tracked`);
    }
  }

  return {
    repo,
    type: typeText as RepoType,
    revision,
    include: patternList(at, entries.get('include')?.value, `${what}.include`),
    exclude: patternList(at, entries.get('exclude')?.value, `${what}.exclude`),
    track,
    line: at.line(node),
  };
}

function parseModels(at: FilePosition, node: Node | null): DesiredModel[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) at.fail(node, 'models must be a list (lines starting with "- repo: ...")');
  const models: DesiredModel[] = [];
  const seen = new Map<string, number>();
  node.items.forEach((item, index) => {
    const model = parseModel(at, item as Node, index);
    const key = `${model.type}:${model.repo}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      at.fail(item as Node, `${model.type} "${model.repo}" is listed twice (first on line ${earlier})`);
    }
    seen.set(key, model.line);
    models.push(model);
  });
  return models;
}

function parseSettings(at: FilePosition, node: Node | null): DesiredSetting[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isMap(node)) at.fail(node, 'settings must be a mapping of setting keys to values');
  return node.items.map((pair) => {
    const keyNode = pair.key as Node | null;
    const key = scalarText(at, keyNode, 'a setting key');
    checked(at, keyNode, () => findSettingSpec(key));
    const valueNode = pair.value as Node | null;
    // An empty value (`hub.cache_dir:`) means "the default location" for settings that allow it.
    const text = isScalar(valueNode) && valueNode.value === null ? '' : scalarText(at, valueNode, `setting ${key}`);
    const value = checked(at, valueNode ?? keyNode, () => validateSettingValue(key, text));
    return { key, value, line: at.line(keyNode) };
  });
}

function parseVersion(at: FilePosition, node: Node | null): void {
  if (node !== null && wholeNumber(at, node, 'version') !== 1) {
    at.fail(node, 'version: this hfsched reads version 1 files');
  }
}

function checkSyntax(document: Document.Parsed, source: string, lineCounter: LineCounter): void {
  const problem = document.errors[0];
  if (problem === undefined) return;
  const { line, col } = lineCounter.linePos(problem.pos[0]);
  const firstLine = problem.message.split('\n')[0] ?? problem.message;
  throw new ModelSetFileError(`${source}:${line}:${col}: not valid YAML: ${firstLine}`);
}

/** Reads a model set from YAML text; `source` names the file in messages. ModelSetFileError when it is bad. */
export function parseModelSetFile(text: string, source: string): ModelSetFile {
  if (Buffer.byteLength(text, 'utf8') > MODEL_SET_MAX_BYTES) {
    throw new ModelSetFileError(
      `${source}: the file is larger than 1 MiB (the limit of a ConfigMap); a model set is a few kilobytes`,
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  checkSyntax(document, source, lineCounter);
  const at = filePosition(source, lineCounter);
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return { source, models: [], modelsListed: false, schedule: undefined, settings: [] };
  }
  const entries = mappingEntries(at, root, source, TOP_LEVEL_KEYS);
  parseVersion(at, entries.get('version')?.value ?? null);
  const scheduleEntry = entries.get('schedule');
  const modelsNode = entries.get('models')?.value ?? null;
  return {
    source,
    models: parseModels(at, modelsNode),
    modelsListed: isSeq(modelsNode),
    schedule: scheduleEntry === undefined ? undefined : parseScheduleEntry(at, scheduleEntry.value),
    settings: parseSettings(at, entries.get('settings')?.value ?? null),
  };
}
export { ModelSetFileError } from './file-position.js';
