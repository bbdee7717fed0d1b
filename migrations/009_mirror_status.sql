-- Schema version 9: the mirrors serving this database's cache.
--
-- * `mirror_status`: one row per process serving the mirror (`hfsched serve`,
--   or the daemon with `serve.listen` set), keyed by host and pid: where it
--   listens, when it started, its last heartbeat, and the requests and file
--   bytes it has answered since. Written at start, when the counts change (at
--   most every few seconds) and at least once a minute; deleted on a clean
--   stop. `hfsched status` shows the rows whose heartbeat is fresh and whose
--   process (on this host) exists.

-- up
CREATE TABLE mirror_status (
    hostname TEXT NOT NULL,
    pid INTEGER NOT NULL CHECK (pid > 0),
    url TEXT NOT NULL,
    started_at DATETIME NOT NULL,
    heartbeat_at DATETIME NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
    bytes_sent INTEGER NOT NULL DEFAULT 0 CHECK (bytes_sent >= 0),
    PRIMARY KEY (hostname, pid)
);

-- down
DROP TABLE mirror_status;
