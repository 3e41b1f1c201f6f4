-- Storage accounting and housekeeping (issue 11, finding 5).
--
-- files_from: the run whose upload folder (uploads/<run id>/) holds this run's input files:
-- the run itself when it uploaded them, the earlier run when it reused them or follows up on
-- it, NULL without files. Housekeeping keeps a folder while any run using it is queued,
-- running or still reusable.
-- upload_bytes: bytes of the files uploaded with this run that are still kept (NULL once the
-- folder is removed, or when the run uploaded nothing of its own). A user's storage is the sum
-- of these plus the bytes of the user's kept artifacts.
ALTER TABLE runs ADD COLUMN files_from TEXT;
ALTER TABLE runs ADD COLUMN upload_bytes BIGINT;

-- Earlier runs: every file's `stored_as` is "<uploading run id>/NNN", the same for all files.
UPDATE runs SET files_from = split_part(files -> 0 ->> 'stored_as', '/', 1)
WHERE jsonb_array_length(files) > 0;
UPDATE runs SET upload_bytes = (SELECT COALESCE(SUM((f ->> 'bytes')::BIGINT), 0)
                                FROM jsonb_array_elements(runs.files) AS f)
WHERE files_from = id;

-- Which runs use a folder (release and prune check this for every candidate).
CREATE INDEX runs_files_from ON runs (files_from);
-- Runs by end, oldest first: what the retention prunes.
CREATE INDEX runs_finished ON runs (finished_at);
