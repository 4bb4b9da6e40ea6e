-- The order in which variants were last written, for "most recently updated first":
-- updated_at has whole seconds, so variants written within the same second would otherwise
-- be listed by when they were created. Existing rows are ranked by (updated_at, rowid).

ALTER TABLE variants ADD COLUMN touched INTEGER NOT NULL DEFAULT 0;
UPDATE variants SET touched = (
    SELECT count(*) FROM variants AS earlier
    WHERE earlier.updated_at < variants.updated_at
       OR (earlier.updated_at = variants.updated_at AND earlier.rowid <= variants.rowid)
);
CREATE INDEX variants_by_touched ON variants (touched);
