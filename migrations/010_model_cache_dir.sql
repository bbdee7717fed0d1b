-- Schema version 10: each model's cache folder.
--
-- * `models.cache_dir`: the Hugging Face cache folder (HF_HUB_CACHE) the
--   model's files are in: set when its first download starts, and moved to
--   the folder of each completed download. `verify`, `model remove --purge`,
--   `cache list` and `cache prune` look there, not in the cache of whoever
--   runs the command (a unit's HF_HOME is not the admin's shell's). NULL: not
--   downloaded yet, and those commands use the current environment's folder.
--   Filled here from `download_path` for models downloaded before, whose
--   snapshot folder is `{cache_dir}/{models|datasets}--org--name/snapshots/{commit}`.

-- up
ALTER TABLE models ADD COLUMN cache_dir TEXT;

UPDATE models
SET cache_dir = substr(
    download_path, 1,
    length(download_path) - length('/' || repo_type || 's--' || replace(name, '/', '--') || '/snapshots/' || current_commit)
)
WHERE download_path IS NOT NULL AND current_commit IS NOT NULL
  AND substr(
        download_path,
        length(download_path) - length('/' || repo_type || 's--' || replace(name, '/', '--') || '/snapshots/' || current_commit) + 1
      ) = '/' || repo_type || 's--' || replace(name, '/', '--') || '/snapshots/' || current_commit
  AND length(download_path) > length('/' || repo_type || 's--' || replace(name, '/', '--') || '/snapshots/' || current_commit);

-- down
ALTER TABLE models DROP COLUMN cache_dir;
