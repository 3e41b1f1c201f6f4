-- Class mode and privacy (issue 14): a batch groups the runs of one tool over many uploaded
-- files (one run per file), and every export or erase of a person's data leaves an audit row
-- that names who did what to whom and how much, never the content.

CREATE TABLE batches (
    id         TEXT    PRIMARY KEY NOT NULL,
    tool_id    TEXT    NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    context    TEXT    NOT NULL CHECK (context IN ('production', 'sandbox')),
    item_count BIGINT  NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX batches_user ON batches (user_id, created_at DESC);

-- A batch's runs; the queue serves a batch one item per round (the count of its started items
-- orders the claim), so a class of 30 files does not hold up everyone else.
ALTER TABLE runs ADD COLUMN batch_id TEXT REFERENCES batches (id) ON DELETE SET NULL;
CREATE INDEX runs_batch ON runs (batch_id) WHERE batch_id IS NOT NULL;

CREATE TABLE privacy_events (
    id         TEXT PRIMARY KEY NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('export', 'erase_runs', 'erase_user')),
    actor_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    subject_id TEXT NOT NULL,
    -- What was removed or handed out, as counts (`{"runs": 12, "bytes": 3400}`).
    summary    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX privacy_events_time ON privacy_events (created_at DESC);
