-- Several servers on one database (issue 15). Written alongside 0007 (another branch's batch
-- tables) and independent of it.

-- Every server process (`SKRIPTOTEKET_INSTANCE`) proves it is alive here every few seconds, so
-- the others can tell a dead one and remove the containers it left on the engine (they carry
-- its name as a label). A row goes when its process stops cleanly or its containers are reaped.
CREATE TABLE instances (
    name         TEXT        PRIMARY KEY,
    started_at   TEXT        NOT NULL,
    heartbeat_at TEXT        NOT NULL
);

-- Sign-in throttling shared by all servers: one counter per key (`ip:<client>` or
-- `email:<address>`) and its window, which starts at the key's first attempt in it.
CREATE TABLE login_attempts (
    key          TEXT        PRIMARY KEY,
    window_start TEXT        NOT NULL,
    attempts     INTEGER     NOT NULL
);
CREATE INDEX login_attempts_by_window ON login_attempts (window_start);

-- The latest progress a running run reported (`{"done": 3, "total": 10, "stage": "…"}`), so
-- any server can show it, not only the one executing the run.
ALTER TABLE runs ADD COLUMN progress TEXT;
