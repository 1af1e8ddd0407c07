-- papersift schema, version 5: the vectors of the reader's interests, by
-- model, so that a queue need not load the built-in model (a quarter of a
-- second and more) to embed the same few texts every time. A cache: rows
-- of another model than the active one are never read, and an interest's
-- rows go with it.
CREATE TABLE interest_vectors (
	model TEXT NOT NULL,
	text  TEXT NOT NULL REFERENCES interests (text) ON DELETE CASCADE,
	vec   BLOB NOT NULL,
	PRIMARY KEY (model, text)
) WITHOUT ROWID;
