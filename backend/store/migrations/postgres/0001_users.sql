-- Accounts. Emails are stored normalised (trimmed, lower-cased) so UNIQUE is case-insensitive.
-- Ids are hyphenated UUID text, the same representation as on SQLite, so both stores share
-- their queries.
CREATE TABLE users (
    id            TEXT        PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    display_name  TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('user', 'contributor', 'admin', 'superuser')),
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    failed_logins INTEGER     NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
