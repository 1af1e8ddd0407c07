-- papersift schema, version 1. A shipped migration is never edited: add a new file.

CREATE TABLE papers (
	pid        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,      -- the source's id, or a title-derived one
	derived_id INTEGER NOT NULL DEFAULT 0, -- 1 when id came from the title (no id in the source)
	arxiv_id   TEXT,
	title      TEXT NOT NULL,
	title_key  TEXT NOT NULL,              -- normalised title, for merging
	abstract   TEXT NOT NULL,
	authors    TEXT NOT NULL DEFAULT '[]', -- JSON array of names
	n_authors  INTEGER,
	org        TEXT,
	date       TEXT,                       -- YYYY-MM-DD
	comments   INTEGER,
	upvotes    INTEGER,
	url        TEXT,
	category   TEXT,
	links      TEXT NOT NULL DEFAULT '[]', -- JSON array of URLs
	text_hash  TEXT NOT NULL,              -- hash of the embedded text
	added_at   TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX papers_title_key ON papers (title_key);
-- arXiv ids are almost always the paper's id: only the others are indexed
CREATE INDEX papers_arxiv ON papers (arxiv_id) WHERE arxiv_id <> id;

CREATE TABLE lists (
	lid        INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE list_papers (
	lid INTEGER NOT NULL REFERENCES lists (lid) ON DELETE CASCADE,
	pid INTEGER NOT NULL REFERENCES papers (pid) ON DELETE CASCADE,
	pos INTEGER NOT NULL,
	PRIMARY KEY (lid, pid)
) WITHOUT ROWID;
CREATE INDEX list_papers_pid ON list_papers (pid);

-- One row per embedding model; for the built-in model, one per fit.
CREATE TABLE models (
	mid        INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE, -- identity: vectors of two names are never compared
	kind       TEXT NOT NULL,        -- local | openai
	dim        INTEGER NOT NULL,
	chunk_cap  INTEGER NOT NULL,     -- vectors per chunk
	n_fit      INTEGER,              -- local: documents the fit saw
	params     BLOB,                 -- local: the fitted model
	created_at TEXT NOT NULL
);

-- Vectors live in chunks of many vectors of one model, so that loading
-- every vector of a model is a few large sequential reads. vec_index says
-- where each paper's vector is and which text it came from.
CREATE TABLE vec_chunks (
	mid   INTEGER NOT NULL REFERENCES models (mid) ON DELETE CASCADE,
	chunk INTEGER NOT NULL,
	n     INTEGER NOT NULL,
	pids  BLOB NOT NULL, -- n little-endian int64
	data  BLOB NOT NULL, -- n x dim little-endian float32
	PRIMARY KEY (mid, chunk)
);

CREATE TABLE vec_index (
	mid       INTEGER NOT NULL REFERENCES models (mid) ON DELETE CASCADE,
	pid       INTEGER NOT NULL REFERENCES papers (pid) ON DELETE CASCADE,
	text_hash TEXT NOT NULL,
	chunk     INTEGER NOT NULL,
	slot      INTEGER NOT NULL,
	PRIMARY KEY (mid, pid)
) WITHOUT ROWID;
CREATE INDEX vec_index_pid ON vec_index (pid);

CREATE TABLE feedback (
	pid  INTEGER PRIMARY KEY REFERENCES papers (pid) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('like', 'dislike')),
	at   TEXT NOT NULL
);

CREATE TABLE reads (
	pid INTEGER PRIMARY KEY REFERENCES papers (pid) ON DELETE CASCADE,
	at  TEXT NOT NULL
);

CREATE TABLE interests (
	text TEXT PRIMARY KEY,
	at   TEXT NOT NULL
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
