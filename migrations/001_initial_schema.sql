-- Schema version 1: the four tables of the data contract
-- (docs/database.md), its four indexes, and three additions:
--
-- * `time` check: the contract's `CHECK (time LIKE '__:_')` matches exactly
--   four characters, so it would refuse every valid `HH:MM`. The GLOB pair
--   below accepts exactly 00:00 .. 23:59.
-- * One enabled schedule: a partial unique index on `enabled` WHERE enabled = 1
--   makes the database itself refuse a second enabled schedule.
-- * `updated_at` triggers: every UPDATE moves `updated_at` forward, with
--   millisecond precision, and at least one millisecond past its previous
--   value, so two updates within the same millisecond still differ.
--
-- The runner wraps each part in one BEGIN IMMEDIATE transaction.

-- up
CREATE TABLE models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'downloading', 'completed', 'failed', 'paused')),
    size_bytes BIGINT,
    download_path TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    metadata JSON
);

CREATE TABLE schedule_configurations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('daily', 'weekly', 'custom')),
    time TEXT NOT NULL CHECK (time GLOB '[01][0-9]:[0-5][0-9]' OR time GLOB '2[0-3]:[0-5][0-9]'),
    day_of_week INTEGER CHECK (day_of_week BETWEEN 0 AND 6),
    enabled BOOLEAN DEFAULT 1 CHECK (enabled IN (0, 1)),
    max_concurrent_downloads INTEGER DEFAULT 1 CHECK (max_concurrent_downloads BETWEEN 1 AND 10),
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE download_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id INTEGER NOT NULL,
    schedule_id INTEGER,
    status TEXT NOT NULL CHECK (status IN ('started', 'in_progress', 'completed', 'failed', 'cancelled')),
    started_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    completed_at DATETIME,
    bytes_downloaded BIGINT DEFAULT 0,
    total_bytes BIGINT,
    error_message TEXT,
    retry_count INTEGER DEFAULT 0,
    metadata JSON,
    FOREIGN KEY (model_id) REFERENCES models(id),
    FOREIGN KEY (schedule_id) REFERENCES schedule_configurations(id)
);

CREATE TABLE system_configurations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    value TEXT NOT NULL,
    description TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- The contract's indexes ("Performance Considerations").
CREATE INDEX idx_models_status ON models(status);
CREATE INDEX idx_schedule_configurations_enabled ON schedule_configurations(enabled);
CREATE INDEX idx_download_sessions_status_model_id ON download_sessions(status, model_id);
CREATE INDEX idx_system_configurations_key ON system_configurations(key);

-- At most one enabled schedule, enforced by the database.
CREATE UNIQUE INDEX uq_schedule_configurations_one_enabled
    ON schedule_configurations(enabled) WHERE enabled = 1;

-- updated_at: "now" in milliseconds, or one millisecond past the old value if
-- the clock has not moved. The WHEN clause keeps the inner UPDATE from firing
-- the trigger again even with recursive_triggers on.
CREATE TRIGGER trg_models_updated_at AFTER UPDATE ON models
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE models SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;

CREATE TRIGGER trg_schedule_configurations_updated_at AFTER UPDATE ON schedule_configurations
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE schedule_configurations SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;

CREATE TRIGGER trg_system_configurations_updated_at AFTER UPDATE ON system_configurations
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE system_configurations SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;

-- down
DROP TRIGGER trg_system_configurations_updated_at;
DROP TRIGGER trg_schedule_configurations_updated_at;
DROP TRIGGER trg_models_updated_at;
DROP TABLE download_sessions;
DROP TABLE system_configurations;
DROP TABLE schedule_configurations;
DROP TABLE models;
