-- papersift schema, version 4: a generation number of each model's vectors,
-- so that a copy of them kept outside the database (the similarity index
-- beside it) can tell whether it is current. Every write of a vector chunk
-- takes the next number of one counter that never goes back, whatever code
-- wrote it: a model dropped and made again under the same mid never has a
-- number a copy of the old one carries. db_id tells one database from
-- another (a file copied over this one). The numbers live in a table of
-- their own: a trigger that updated the models row would copy the fitted
-- model's parameters (megabytes) at every chunk. (No OR REPLACE in the
-- triggers: the upsert that writes a chunk would override it.)

CREATE TABLE vec_gen (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	n     INTEGER NOT NULL,
	db_id TEXT NOT NULL
);
INSERT INTO vec_gen (id, n, db_id) VALUES (1, 0, lower(hex(randomblob(16))));

CREATE TABLE model_gen (
	mid INTEGER PRIMARY KEY, -- a model's mid (the row outlives the model)
	gen INTEGER NOT NULL
);

CREATE TRIGGER vec_chunks_gen_insert AFTER INSERT ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE model_gen SET gen = (SELECT n FROM vec_gen) WHERE mid = NEW.mid;
	INSERT INTO model_gen (mid, gen) SELECT NEW.mid, (SELECT n FROM vec_gen)
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = NEW.mid);
END;
CREATE TRIGGER vec_chunks_gen_update AFTER UPDATE ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE model_gen SET gen = (SELECT n FROM vec_gen) WHERE mid = OLD.mid;
	INSERT INTO model_gen (mid, gen) SELECT OLD.mid, (SELECT n FROM vec_gen)
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = OLD.mid);
	UPDATE model_gen SET gen = (SELECT n FROM vec_gen) WHERE mid = NEW.mid;
	INSERT INTO model_gen (mid, gen) SELECT NEW.mid, (SELECT n FROM vec_gen)
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = NEW.mid);
END;
CREATE TRIGGER vec_chunks_gen_delete AFTER DELETE ON vec_chunks BEGIN
	UPDATE vec_gen SET n = n + 1;
	UPDATE model_gen SET gen = (SELECT n FROM vec_gen) WHERE mid = OLD.mid;
	INSERT INTO model_gen (mid, gen) SELECT OLD.mid, (SELECT n FROM vec_gen)
		WHERE NOT EXISTS (SELECT 1 FROM model_gen WHERE mid = OLD.mid);
END;
