-- Every generation has an id (a UUID, as docsfy 1.9 gives it): the variant keeps the id of
-- its latest generation. Existing variants get one of their own, so that every variant can
-- be named by id.

ALTER TABLE variants ADD COLUMN generation_id TEXT;
UPDATE variants SET generation_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
    substr(lower(hex(randomblob(2))), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' ||
    lower(hex(randomblob(6)))
WHERE generation_id IS NULL;
CREATE UNIQUE INDEX variants_by_generation_id ON variants (generation_id);
