-- papersift schema, version 2: cheaper indexes for large ingests.

-- A paper with a real id is found by title through a 64-bit hash of its
-- title key (FNV-1a, filled in by the binary for papers stored before):
-- an index of integers costs a fraction of one of the keys to keep up,
-- and an ingest inserts in title order, that is at random. Lookups compare
-- the key too. The few papers whose id was derived from the title are all
-- read at the start of an ingest, from their own small index.
ALTER TABLE papers ADD COLUMN title_hash INTEGER NOT NULL DEFAULT 0;
DROP INDEX papers_title_key;
CREATE INDEX papers_title_hash ON papers (title_hash) WHERE derived_id = 0;
CREATE INDEX papers_derived ON papers (title_key) WHERE derived_id = 1;

-- Papers are never deleted: an index of list_papers by pid would only cost
-- every ingest a random insert per paper.
DROP INDEX list_papers_pid;
