-- Tools, their versions and lifecycle events, runs and the durable queue, artifacts and
-- per-user settings (SPEC §2–§3). Conventions as in 0001: hyphenated UUID text ids, RFC 3339
-- text timestamps written by the application (lexically ordered, as they all end in +00:00),
-- JSON as text written and read through sqlx's Json<T>.

-- Taxonomy, seeded with fixed ids so every install (and both dialects) agree on them.
CREATE TABLE categories (
    id   TEXT    PRIMARY KEY NOT NULL,
    slug TEXT    NOT NULL UNIQUE,
    name TEXT    NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE professions (
    id   TEXT    PRIMARY KEY NOT NULL,
    slug TEXT    NOT NULL UNIQUE,
    name TEXT    NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
);

INSERT INTO professions (id, slug, name, sort) VALUES
    ('00000000-0000-4000-8000-000000000101', 'larare',            'Lärare',            10),
    ('00000000-0000-4000-8000-000000000102', 'specialpedagog',    'Specialpedagog',    20),
    ('00000000-0000-4000-8000-000000000103', 'skoladministrator', 'Skoladministratör', 30),
    ('00000000-0000-4000-8000-000000000104', 'rektor',            'Rektor',            40),
    ('00000000-0000-4000-8000-000000000105', 'gemensamt',         'Gemensamt',         50);

INSERT INTO categories (id, slug, name, sort) VALUES
    ('00000000-0000-4000-8000-000000000201', 'lektionsplanering', 'Lektionsplanering', 10),
    ('00000000-0000-4000-8000-000000000202', 'mentorskap',        'Mentorskap',        20),
    ('00000000-0000-4000-8000-000000000203', 'administration',    'Administration',    30),
    ('00000000-0000-4000-8000-000000000204', 'ovrigt',            'Övrigt',            40);

-- A tool. `search_text` is lower(title || '\n' || summary) computed by the application,
-- because SQLite's LOWER() folds only ASCII and the catalog search must fold å/ä/ö too.
-- `active_version_id` refers forwards to tool_versions, which SQLite resolves at write time.
CREATE TABLE tools (
    id                TEXT    PRIMARY KEY NOT NULL,
    slug              TEXT    NOT NULL UNIQUE,
    title             TEXT    NOT NULL,
    summary           TEXT    NOT NULL DEFAULT '',
    search_text       TEXT    NOT NULL DEFAULT '',
    active_version_id TEXT    REFERENCES tool_versions (id),
    archived          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
-- The public catalog: published tools by title.
CREATE INDEX tools_catalog ON tools (title, id) WHERE active_version_id IS NOT NULL AND archived = FALSE;

CREATE TABLE tool_categories (
    tool_id     TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (tool_id, category_id)
);

CREATE TABLE tool_professions (
    tool_id       TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    profession_id TEXT NOT NULL REFERENCES professions (id) ON DELETE CASCADE,
    PRIMARY KEY (tool_id, profession_id)
);

CREATE TABLE tool_maintainers (
    tool_id    TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tool_id, user_id)
);
-- "Tools I maintain".
CREATE INDEX tool_maintainers_user ON tool_maintainers (user_id);

-- Versions: numbered per tool; `revision` is the optimistic-concurrency token of a draft.
CREATE TABLE tool_versions (
    id              TEXT    PRIMARY KEY NOT NULL,
    tool_id         TEXT    NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('draft', 'in_review', 'active', 'archived')),
    source          TEXT    NOT NULL,
    entrypoint      TEXT    NOT NULL,
    input_schema    TEXT,
    settings_schema TEXT,
    change_summary  TEXT    NOT NULL DEFAULT '',
    author_id       TEXT    NOT NULL REFERENCES users (id),
    revision        INTEGER NOT NULL DEFAULT 1,
    review_message  TEXT,
    derived_from    TEXT    REFERENCES tool_versions (id),
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (tool_id, number)
);
-- At most one active version per tool: publishing archives the old one first.
CREATE UNIQUE INDEX tool_versions_one_active ON tool_versions (tool_id) WHERE state = 'active';

-- Every state change of a version (who, when, from, to, message); from_state is NULL when a
-- version is created.
CREATE TABLE version_events (
    id         TEXT PRIMARY KEY NOT NULL,
    tool_id    TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES tool_versions (id) ON DELETE CASCADE,
    actor_id   TEXT NOT NULL REFERENCES users (id),
    from_state TEXT CHECK (from_state IN ('draft', 'in_review', 'active', 'archived')),
    to_state   TEXT NOT NULL CHECK (to_state IN ('draft', 'in_review', 'active', 'archived')),
    message    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX version_events_tool ON version_events (tool_id, created_at DESC, id DESC);

-- Runs, which are also the durable queue (status 'queued', oldest first).
CREATE TABLE runs (
    id               TEXT    PRIMARY KEY NOT NULL,
    tool_id          TEXT    NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    version_id       TEXT    NOT NULL REFERENCES tool_versions (id) ON DELETE CASCADE,
    context          TEXT    NOT NULL CHECK (context IN ('production', 'sandbox')),
    user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled')),
    inputs           TEXT    NOT NULL,
    files            TEXT    NOT NULL,
    settings         TEXT    NOT NULL,
    action           TEXT,
    parent_run_id    TEXT    REFERENCES runs (id) ON DELETE SET NULL,
    source_override  TEXT,
    timeout_seconds  BIGINT  NOT NULL,
    stdout           TEXT    NOT NULL DEFAULT '',
    stderr           TEXT    NOT NULL DEFAULT '',
    ui               TEXT,
    error_summary    TEXT,
    exit_code        BIGINT,
    request_id       TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    claimed_by       TEXT,
    heartbeat_at     TEXT,
    created_at       TEXT    NOT NULL,
    started_at       TEXT,
    finished_at      TEXT
);
-- The queue: oldest queued first; also finds running runs for orphan checks.
CREATE INDEX runs_queue ON runs (status, created_at, id);
-- "My runs", newest first.
CREATE INDEX runs_user ON runs (user_id, created_at DESC);
-- Runs of a tool (per user: the latest run with reusable files).
CREATE INDEX runs_tool ON runs (tool_id, user_id, created_at DESC);
-- A run has at most one follow-up: a second submission of the same action is stale.
CREATE UNIQUE INDEX runs_parent ON runs (parent_run_id);

-- Files a run wrote under output/; the bytes live under ARTIFACTS_ROOT.
CREATE TABLE artifacts (
    id         TEXT   PRIMARY KEY NOT NULL,
    run_id     TEXT   NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    stored_as  TEXT   NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at TEXT   NOT NULL,
    UNIQUE (run_id, name)
);

-- Per-user settings of a tool; `scope` is 'production' or 'sandbox:<version id>'.
CREATE TABLE user_settings (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tool_id        TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    setting_values TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, tool_id, scope)
);
