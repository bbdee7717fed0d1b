-- Schema version 6: a daemon command's outcome gets its own column.
--
-- * `status`: `ok` or `error` once the daemon (or the CLI giving up on it)
--   has handled the command; null while it waits. It replaces the `ok: ` /
--   `error: ` prefixes that `result` carried in version 4.
-- * `result`: now only the message shown to the user.
--
-- The table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter)
-- so that a check can tie `status` to `handled_at`; no table refers to it.
-- Rows already handled keep their outcome: the prefix becomes the status.

-- up
CREATE TABLE daemon_commands_v5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL CHECK (command IN ('run-now', 'pause', 'resume', 'retry')),
    model_id INTEGER REFERENCES models(id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    handled_at DATETIME,
    status TEXT CHECK (status IN ('ok', 'error')),
    result TEXT,
    CHECK ((command = 'run-now') = (model_id IS NULL)),
    CHECK ((handled_at IS NULL) = (status IS NULL)),
    CHECK ((handled_at IS NULL) = (result IS NULL))
);

INSERT INTO daemon_commands_v5 (id, command, model_id, created_at, handled_at, status, result)
SELECT id, command, model_id, created_at, handled_at,
       CASE WHEN handled_at IS NULL THEN NULL WHEN result LIKE 'ok: %' THEN 'ok' ELSE 'error' END,
       CASE
           WHEN result LIKE 'ok: %' THEN substr(result, 5)
           WHEN result LIKE 'error: %' THEN substr(result, 8)
           ELSE result
       END
FROM daemon_commands;

DROP INDEX idx_daemon_commands_unhandled;
DROP TABLE daemon_commands;
ALTER TABLE daemon_commands_v5 RENAME TO daemon_commands;
CREATE INDEX idx_daemon_commands_unhandled ON daemon_commands(id) WHERE handled_at IS NULL;

-- down
CREATE TABLE daemon_commands_v4 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL CHECK (command IN ('run-now', 'pause', 'resume', 'retry')),
    model_id INTEGER REFERENCES models(id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    handled_at DATETIME,
    result TEXT,
    CHECK ((command = 'run-now') = (model_id IS NULL)),
    CHECK ((handled_at IS NULL) = (result IS NULL))
);

INSERT INTO daemon_commands_v4 (id, command, model_id, created_at, handled_at, result)
SELECT id, command, model_id, created_at, handled_at,
       CASE WHEN handled_at IS NULL THEN NULL ELSE status || ': ' || result END
FROM daemon_commands;

DROP INDEX idx_daemon_commands_unhandled;
DROP TABLE daemon_commands;
ALTER TABLE daemon_commands_v4 RENAME TO daemon_commands;
CREATE INDEX idx_daemon_commands_unhandled ON daemon_commands(id) WHERE handled_at IS NULL;
