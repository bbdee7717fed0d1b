/**
 * Include/exclude globs on repo paths, like snapshot_download's
 * allow_patterns/ignore_patterns (huggingface_hub/utils/_paths.py,
 * filter_repo_objects) but with picomatch globs:
 * - a pattern without "/" matches the file name in any folder
 *   (`*.safetensors` matches `unet/model.safetensors`, as fnmatch's `*` does);
 * - a pattern ending in "/" means everything under that folder (`onnx/`);
 * - dot files match (`.gitattributes`).
 * A file is kept if it matches some include pattern (or there are none) and
 * no exclude pattern.
 */
import picomatch from 'picomatch';

type Matcher = (path: string) => boolean;

function compile(pattern: string): Matcher {
  const glob = pattern.endsWith('/') ? `${pattern}**` : pattern;
  return picomatch(glob, { dot: true, basename: !glob.includes('/') });
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
