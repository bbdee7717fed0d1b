-- Schema version 8: include/exclude patterns are matched as hf download
-- matches them (fnmatch, docs/cache.md), no longer as picomatch globs.
--
-- One stored meaning changes in a way a pattern can keep: a pattern without
-- "/" that does not start with "*" (`config.json`, `tokenizer*`) matched the
-- file name in every folder; with fnmatch it matches only at the top. Each
-- such pattern gets a companion "*/pattern" right after it, so that a model
-- keeps the files it had (`config.json` and `*/config.json`). A pattern
-- starting with "*" without "/" (`*.json`) already matches in every folder.
-- Patterns with "/" take the new meaning, which is the fix: `nested/*` now
-- also selects `nested/deeper/file`, as hf download does.

-- up
UPDATE models SET include_patterns = (
    SELECT json_group_array(pattern) FROM (
        SELECT pattern FROM (
            SELECT p.key * 2 AS position, p.value AS pattern FROM json_each(models.include_patterns) AS p
            UNION ALL
            SELECT p.key * 2 + 1, '*/' || p.value FROM json_each(models.include_patterns) AS p
            WHERE instr(p.value, '/') = 0 AND substr(p.value, 1, 1) <> '*'
        ) ORDER BY position
    )
)
WHERE EXISTS (
    SELECT 1 FROM json_each(models.include_patterns) AS p
    WHERE instr(p.value, '/') = 0 AND substr(p.value, 1, 1) <> '*'
);

UPDATE models SET exclude_patterns = (
    SELECT json_group_array(pattern) FROM (
        SELECT pattern FROM (
            SELECT p.key * 2 AS position, p.value AS pattern FROM json_each(models.exclude_patterns) AS p
            UNION ALL
            SELECT p.key * 2 + 1, '*/' || p.value FROM json_each(models.exclude_patterns) AS p
            WHERE instr(p.value, '/') = 0 AND substr(p.value, 1, 1) <> '*'
        ) ORDER BY position
    )
)
WHERE EXISTS (
    SELECT 1 FROM json_each(models.exclude_patterns) AS p
    WHERE instr(p.value, '/') = 0 AND substr(p.value, 1, 1) <> '*'
);

-- down
-- The companions go: "*/p" right after "p" is dropped (picomatch matched "p" in every folder).
UPDATE models SET include_patterns = (
    SELECT json_group_array(p.value) FROM json_each(models.include_patterns) AS p
    WHERE NOT (p.key > 0 AND p.value = '*/' || json_extract(models.include_patterns, '$[' || (p.key - 1) || ']'))
    ORDER BY p.key
);

UPDATE models SET exclude_patterns = (
    SELECT json_group_array(p.value) FROM json_each(models.exclude_patterns) AS p
    WHERE NOT (p.key > 0 AND p.value = '*/' || json_extract(models.exclude_patterns, '$[' || (p.key - 1) || ']'))
    ORDER BY p.key
);
