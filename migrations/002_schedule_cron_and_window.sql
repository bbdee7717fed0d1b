-- Schema version 2: schedules for the daemon.
--
-- * `time` becomes nullable: a `custom` schedule fires on `cron_pattern`
--   instead; `daily` and `weekly` still need a time.
-- * `cron_pattern`: a croner pattern, present exactly when type = 'custom'.
-- * `window_end` (HH:MM) or `window_minutes` (> 0), never both: when the
--   download window closes, running downloads are paused.
--
-- SQLite cannot drop a NOT NULL constraint, so the table is rebuilt
-- the way https://www.sqlite.org/lang_altertable.html#otheralter describes:
-- the migration runner turns foreign_keys off around the step and runs
-- PRAGMA foreign_key_check before COMMIT, so download_sessions, which keeps
-- referencing the table by name, stays valid (with foreign keys on, even
-- deferred, DROP TABLE counts every referencing session as a violation that
-- the new table's rows never cancel). Indexes and triggers are recreated.

-- up
CREATE TABLE schedule_configurations_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('daily', 'weekly', 'custom')),
    time TEXT CHECK (time GLOB '[01][0-9]:[0-5][0-9]' OR time GLOB '2[0-3]:[0-5][0-9]'),
    day_of_week INTEGER CHECK (day_of_week BETWEEN 0 AND 6),
    enabled BOOLEAN DEFAULT 1 CHECK (enabled IN (0, 1)),
    max_concurrent_downloads INTEGER DEFAULT 1 CHECK (max_concurrent_downloads BETWEEN 1 AND 10),
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    cron_pattern TEXT CHECK (cron_pattern IS NULL OR length(trim(cron_pattern)) > 0),
    window_end TEXT CHECK (window_end GLOB '[01][0-9]:[0-5][0-9]' OR window_end GLOB '2[0-3]:[0-5][0-9]'),
    window_minutes INTEGER CHECK (window_minutes > 0),
    CHECK (type = 'custom' OR time IS NOT NULL),
    CHECK ((type = 'custom') = (cron_pattern IS NOT NULL)),
    CHECK (window_end IS NULL OR window_minutes IS NULL)
);

INSERT INTO schedule_configurations_v2
    (id, name, type, time, day_of_week, enabled, max_concurrent_downloads, created_at, updated_at)
SELECT id, name, type, time, day_of_week, enabled, max_concurrent_downloads, created_at, updated_at
FROM schedule_configurations;

DROP TABLE schedule_configurations;
ALTER TABLE schedule_configurations_v2 RENAME TO schedule_configurations;

CREATE INDEX idx_schedule_configurations_enabled ON schedule_configurations(enabled);
CREATE UNIQUE INDEX uq_schedule_configurations_one_enabled
    ON schedule_configurations(enabled) WHERE enabled = 1;

CREATE TRIGGER trg_schedule_configurations_updated_at AFTER UPDATE ON schedule_configurations
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE schedule_configurations SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;

-- down
-- Fails (and version 2 stays) while a custom schedule has no time: version 1
-- has nowhere to keep it. The guard table turns that into a readable error.
CREATE TEMP TABLE migration_002_down_guard (
    custom_schedules_without_time INTEGER
        CONSTRAINT "custom schedules without a time exist; give them a time or delete them first"
        CHECK (custom_schedules_without_time = 0)
);
INSERT INTO migration_002_down_guard
    SELECT count(*) FROM schedule_configurations WHERE time IS NULL;
DROP TABLE migration_002_down_guard;
CREATE TABLE schedule_configurations_v1 (
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

INSERT INTO schedule_configurations_v1
    (id, name, type, time, day_of_week, enabled, max_concurrent_downloads, created_at, updated_at)
SELECT id, name, type, time, day_of_week, enabled, max_concurrent_downloads, created_at, updated_at
FROM schedule_configurations;

DROP TABLE schedule_configurations;
ALTER TABLE schedule_configurations_v1 RENAME TO schedule_configurations;

CREATE INDEX idx_schedule_configurations_enabled ON schedule_configurations(enabled);
CREATE UNIQUE INDEX uq_schedule_configurations_one_enabled
    ON schedule_configurations(enabled) WHERE enabled = 1;

CREATE TRIGGER trg_schedule_configurations_updated_at AFTER UPDATE ON schedule_configurations
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE schedule_configurations SET updated_at = CASE
        WHEN strftime('%Y-%m-%d %H:%M:%f', 'now') > OLD.updated_at THEN strftime('%Y-%m-%d %H:%M:%f', 'now')
        ELSE strftime('%Y-%m-%d %H:%M:%f', OLD.updated_at, '+0.001 seconds')
    END
    WHERE id = NEW.id;
END;
