-- Teachers' features (issue 14): every finished run's error code with its parameters, and
-- each user's favourite tools. Independent of 0005 (written in parallel).

-- Why a run did not simply succeed: a stable code (`timed_out`, `out_of_memory`, `tool_error`,
-- …; see the domain's `run_error`) and its parameters as a JSON object (`{"seconds": 120}`).
-- NULL on runs that succeeded in full and on runs still queued or going.
ALTER TABLE runs ADD COLUMN error_code TEXT;
ALTER TABLE runs ADD COLUMN error_params TEXT;

-- Earlier runs get what their status says for sure; other failures stay without a code.
UPDATE runs SET error_code = 'timed_out', error_params = json_object('seconds', timeout_seconds)
    WHERE status = 'timed_out';
UPDATE runs SET error_code = 'cancelled', error_params = '{}' WHERE status = 'cancelled';
UPDATE runs SET error_code = 'interrupted', error_params = '{}'
    WHERE status = 'failed' AND error_summary LIKE 'The server stopped while this run was going.%';

-- A star on a tool, per user. The catalog lists favourites first or only.
CREATE TABLE favorites (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tool_id    TEXT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, tool_id)
);
