-- Usage instructions per version (Markdown, shown on the tool page), and which text each user
-- has seen per tool (a SHA-256 of it), so the page shows it open until then and folded after.
ALTER TABLE tool_versions ADD COLUMN usage_instructions TEXT NOT NULL DEFAULT '';

CREATE TABLE usage_seen (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tool_id TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    hash    TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, tool_id)
);
