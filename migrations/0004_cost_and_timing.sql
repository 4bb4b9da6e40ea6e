-- What the latest generation of a variant cost (the sum of what the providers reported for
-- its AI calls, 0 when they reported nothing), when it started, and how long it took.

ALTER TABLE variants ADD COLUMN total_cost_usd REAL NOT NULL DEFAULT 0;
ALTER TABLE variants ADD COLUMN generation_started_at TEXT;
ALTER TABLE variants ADD COLUMN generation_duration REAL;
