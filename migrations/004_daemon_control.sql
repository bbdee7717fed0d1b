-- Schema version 4: how the CLI sees and steers a running daemon, through
-- the database (no socket to secure, and it works across containers that
-- share the database volume).
--
-- * `daemon_status`: at most one row (id = 1), the running daemon's
--   heartbeat and what `hfsched status` shows: pid, host, start, next run,
--   window end, the queue and the running downloads (JSON written by the
--   daemon about once a second). A daemon is alive when its heartbeat is
--   recent and its pid exists; the row is deleted on a clean shutdown.
-- * `daemon_commands`: what the CLI asks of the daemon (`run-now`, and
--   `pause` / `resume` / `retry` of a model). The daemon handles each
--   unhandled row within about a second and writes `handled_at` and `result`
--   (`ok: ...` or `error: ...`), which the CLI waits for and prints.
-- * `model_holds`: models paused by a user. A paused model is otherwise
--   eligible at the next firing (the window closed on it, so it resumes);
--   a held one waits for `hfsched model resume`.
-- Timestamps are UTC `YYYY-MM-DD HH:MM:SS.SSS`, like the other tables.

-- up
CREATE TABLE daemon_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL CHECK (pid > 0),
    hostname TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    heartbeat_at DATETIME NOT NULL,
    schedule_id INTEGER REFERENCES schedule_configurations(id) ON DELETE SET NULL,
    next_run_at DATETIME,
    window_ends_at DATETIME,
    queue JSON NOT NULL DEFAULT '[]' CHECK (json_valid(queue)),
    running JSON NOT NULL DEFAULT '[]' CHECK (json_valid(running)),
    http_url TEXT
);

CREATE TABLE daemon_commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL CHECK (command IN ('run-now', 'pause', 'resume', 'retry')),
    model_id INTEGER REFERENCES models(id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    handled_at DATETIME,
    result TEXT,
    CHECK ((command = 'run-now') = (model_id IS NULL)),
    CHECK ((handled_at IS NULL) = (result IS NULL))
);

CREATE INDEX idx_daemon_commands_unhandled ON daemon_commands(id) WHERE handled_at IS NULL;

CREATE TABLE model_holds (
    model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- down
DROP TABLE model_holds;
DROP INDEX idx_daemon_commands_unhandled;
DROP TABLE daemon_commands;
DROP TABLE daemon_status;
