-- papersift schema, version 4: a generation number of each model's vectors,
-- so that a copy of them kept outside the database (the similarity index
-- beside it) can tell whether it is current. Every write of a vector chunk
-- takes the next number of one counter that never goes back, whatever code
-- wrote it: a model dropped and made again under the same mid never has a
-- number a copy of the old one carries. db_id tells one database from
-- another (a file copied over this one).

CREATE TABLE vec_gen (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	n     INTEGER NOT NULL,
	db_id TEXT NOT NULL
);
INSERT INTO vec_gen (id, n, db_id) VALUES (1, 0, lower(hex(randomblob(16))));

ALTER TABLE models ADD COLUMN vec_gen INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER vec_chunks_gen_insert AFTER INSERT ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE models SET vec_gen = (SELECT n FROM vec_gen) WHERE mid = NEW.mid;
END;
CREATE TRIGGER vec_chunks_gen_update AFTER UPDATE ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE models SET vec_gen = (SELECT n FROM vec_gen) WHERE mid = NEW.mid OR mid = OLD.mid;
END;
CREATE TRIGGER vec_chunks_gen_delete AFTER DELETE ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE models SET vec_gen = (SELECT n FROM vec_gen) WHERE mid = OLD.mid;
END;
