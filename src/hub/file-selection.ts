/**
 * Include/exclude patterns on repo paths, exactly as huggingface_hub's
 * `filter_repo_objects` (huggingface_hub/utils/_paths.py) applies
 * snapshot_download's `allow_patterns`/`ignore_patterns`, which `hf download
 * --include/--exclude` passes on:
 * - a pattern ending in "/" gets a "*" appended: the folder's contents
 *   (`onnx/` selects `onnx/model.onnx` and `onnx/sub/weights.bin`);
 * - "\" counts as "/", in patterns and paths (huggingface_hub#4506);
 * - then Python's `fnmatch.fnmatchcase` on the whole path (fnmatch.ts),
 *   case-sensitive on every platform (huggingface_hub#4435): `*` crosses
 *   "/", so `*.json` selects JSON files in every folder, `nested/*` every
 *   file under `nested/`, and `config.json` only the top-level one.
 * A file is kept if it matches some include pattern (or there are none) and
 * no exclude pattern.
 */
import { fnmatchcase } from './fnmatch.js';

type Matcher = (path: string) => boolean;

/** huggingface_hub's `_add_wildcard_to_directories`. */
function withFolderWildcard(pattern: string): string {
  return pattern.endsWith('/') ? `${pattern}*` : pattern;
}

function withForwardSlashes(text: string): string {
  return text.replaceAll('\\', '/');
}

function compile(pattern: string): Matcher {
  const matches = fnmatchcase(withForwardSlashes(withFolderWildcard(pattern)));
  return (path) => matches(withForwardSlashes(path));
}

export function selectFiles<T extends { path: string }>(
  files: readonly T[],
  include: readonly string[],
  exclude: readonly string[],
): T[] {
  const includes = include.map(compile);
  const excludes = exclude.map(compile);
  return files.filter(
    (file) =>
      (includes.length === 0 || includes.some((matches) => matches(file.path))) &&
      !excludes.some((matches) => matches(file.path)),
  );
}

/** How a selection reads in a message: `--include "a" --exclude "b"`. */
export function describeSelection(include: readonly string[], exclude: readonly string[]): string {
  return [...include.map((glob) => `--include "${glob}"`), ...exclude.map((glob) => `--exclude "${glob}"`)].join(' ');
}
