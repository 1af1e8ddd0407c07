-- papersift schema, version 4: a generation of each model's vectors, so that
-- a copy of them kept outside the database (the similarity index beside it)
-- can tell whether it is current. Every write of a vector chunk gives its
-- model a new random 64-bit generation, whatever code wrote it: a counter
-- would repeat its numbers after a backup is restored, and a copy made
-- between would look current. db_id tells one database from another. The
-- generations live in a table of their own (a trigger that updated the
-- models row would copy the fitted model's parameters, megabytes, at every
-- chunk), whose rows outlive their model (a mid used again gets a new one).
-- (No OR REPLACE in the triggers: the upsert that writes a chunk would
-- override it.)

CREATE TABLE vec_gen (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	db_id TEXT NOT NULL
);
INSERT INTO vec_gen (id, db_id) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE model_gen (
	mid INTEGER PRIMARY KEY, -- a model's mid
	gen INTEGER NOT NULL
);

CREATE TRIGGER vec_chunks_gen_insert AFTER INSERT ON vec_chunks BEGIN
	UPDATE model_gen SET gen = random() WHERE mid = NEW.mid;
	INSERT INTO model_gen (mid, gen) SELECT NEW.mid, random()
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = NEW.mid);
END;
CREATE TRIGGER vec_chunks_gen_update AFTER UPDATE ON vec_chunks BEGIN
	UPDATE model_gen SET gen = random() WHERE mid = OLD.mid OR mid = NEW.mid;
	INSERT INTO model_gen (mid, gen) SELECT NEW.mid, random()
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = NEW.mid);
END;
CREATE TRIGGER vec_chunks_gen_delete AFTER DELETE ON vec_chunks BEGIN
	UPDATE model_gen SET gen = random() WHERE mid = OLD.mid;
	INSERT INTO model_gen (mid, gen) SELECT OLD.mid, random()
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = OLD.mid);
END;
