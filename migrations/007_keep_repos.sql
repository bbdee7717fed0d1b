-- Schema version 7: keeping what was fetched (docs/keeping-models.md).
--
-- * `models.repo_type`: 'model' or 'dataset' (the Hub's /api/models and
--   /api/datasets; cache folders models--… and datasets--…). A model and a
--   dataset may share a name, so the unique key becomes (repo_type, name).
--   SQLite cannot drop the old UNIQUE (name), so the table is rebuilt as in
--   migration 002 (foreign keys are off during the step and checked before
--   COMMIT; every referencing table keeps its rows and ids).
-- * `models.tracking`: 1 = follow the branch named by `revision` (each firing
--   asks the Hub for its commit); 0 = pinned at `current_commit`.
-- * `models.current_commit`: the commit of the snapshot last completed.
-- * `models.last_checked_at`, `models.last_check_error`: the last time the
--   branch was asked for, and why that failed (NULL when it worked).
-- * `models.status_reason`: why a model waits (e.g. "verify: 2 files
--   damaged"), shown by `model show` and `status`; cleared on completion.
-- * `model_files`: the files of the current snapshot with the hash the Hub
--   listed (sha256 for LFS files, git blob sha1 for the others) and size,
--   recorded at download time so that `hfsched verify` works offline.

-- up
CREATE TABLE models_v7 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'downloading', 'completed', 'failed', 'paused')),
    size_bytes BIGINT,
    download_path TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    metadata JSON,
    revision TEXT,
    include_patterns TEXT NOT NULL DEFAULT '[]',
    exclude_patterns TEXT NOT NULL DEFAULT '[]',
    repo_type TEXT NOT NULL DEFAULT 'model' CHECK (repo_type IN ('model', 'dataset')),
    tracking INTEGER NOT NULL DEFAULT 1 CHECK (tracking IN (0, 1)),
    current_commit TEXT CHECK (current_commit IS NULL OR (length(current_commit) = 40 AND current_commit NOT GLOB '*[^0-9a-f]*')),
    last_checked_at DATETIME,
    last_check_error TEXT,
    status_reason TEXT,
    UNIQUE (repo_type, name)
);

INSERT INTO models_v7
    (id, name, status, size_bytes, download_path, created_at, updated_at, metadata, revision,
     include_patterns, exclude_patterns, tracking)
SELECT id, name, status, size_bytes, download_path, created_at, updated_at, metadata, revision,
     include_patterns, exclude_patterns,
     CASE WHEN length(revision) = 40 AND revision NOT GLOB '*[^0-9a-f]*' THEN 0 ELSE 1 END
FROM models;

DROP TABLE models;
ALTER TABLE models_v7 RENAME TO models;

CREATE INDEX idx_models_status ON models(status);

CREATE TRIGGER trg_models_updated_at AFTER UPDATE ON models
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE models SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;

CREATE TABLE model_files (
    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    hash_kind TEXT NOT NULL CHECK (hash_kind IN ('sha256', 'gitsha1')),
    hash TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    PRIMARY KEY (model_id, path)
);

-- down
-- Fails (and version 7 stays) while a dataset, or a model and a dataset of
-- the same name, exist: version 6 has no repo type to tell them apart.
CREATE TEMP TABLE migration_007_down_guard (
    datasets INTEGER
        CONSTRAINT "datasets exist; remove them (hfsched model remove) before going below schema version 7"
        CHECK (datasets = 0)
);
INSERT INTO migration_007_down_guard SELECT count(*) FROM models WHERE repo_type <> 'model';
DROP TABLE migration_007_down_guard;

DROP TABLE model_files;

-- Written as version 6 has it (migration 003 added three columns with ALTER TABLE),
-- so that going down gives back exactly the same schema.
CREATE TABLE models_v6 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'downloading', 'completed', 'failed', 'paused')),
    size_bytes BIGINT,
    download_path TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    metadata JSON
, revision TEXT, include_patterns TEXT NOT NULL DEFAULT '[]', exclude_patterns TEXT NOT NULL DEFAULT '[]');

INSERT INTO models_v6
    (id, name, status, size_bytes, download_path, created_at, updated_at, metadata, revision,
     include_patterns, exclude_patterns)
SELECT id, name, status, size_bytes, download_path, created_at, updated_at, metadata, revision,
     include_patterns, exclude_patterns
FROM models;

DROP TABLE models;
ALTER TABLE models_v6 RENAME TO models;

CREATE INDEX idx_models_status ON models(status);

CREATE TRIGGER trg_models_updated_at AFTER UPDATE ON models
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE models SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;
