-- Schema version 3: per-model download options.
--
-- * `revision`: branch, tag or commit to download; NULL means `main`.
-- * `include_patterns`, `exclude_patterns`: JSON arrays of glob patterns on
--   repo paths (e.g. ["*.safetensors", "*.json"]); empty includes everything.

-- up
ALTER TABLE models ADD COLUMN revision TEXT;
ALTER TABLE models ADD COLUMN include_patterns TEXT NOT NULL DEFAULT '[]';
ALTER TABLE models ADD COLUMN exclude_patterns TEXT NOT NULL DEFAULT '[]';

-- down
ALTER TABLE models DROP COLUMN exclude_patterns;
ALTER TABLE models DROP COLUMN include_patterns;
ALTER TABLE models DROP COLUMN revision;
