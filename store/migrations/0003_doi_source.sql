-- papersift schema, version 3: a paper's DOI and journal reference (from a
-- reference manager's export, or the arXiv metadata snapshot), and where
-- each list came from.

ALTER TABLE papers ADD COLUMN doi TEXT;         -- lowercase, without https://doi.org/
ALTER TABLE papers ADD COLUMN journal_ref TEXT;
ALTER TABLE lists ADD COLUMN source TEXT;       -- the source last ingested into the list
