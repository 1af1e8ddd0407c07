package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ReplaceFit stores a fit of the built-in model as the model name, with its
// parameters and the vectors of its papers, and drops every other model of
// the same kind with its vectors, all in one transaction: a reader (another
// process) sees the old model with its vectors or the new one with its
// vectors, never a model without them. A vector whose hash is no longer its
// paper's (or whose paper is gone) is not stored. It returns the model and
// the number of vectors stored.
//
// The transaction holds the database's write lock while it writes every
// vector, so it writes them directly into fresh chunks: one statement per
// vector and one per chunk (100,000 vectors take a few seconds, well within
// the 10 s other writers wait).
func (s *Store) ReplaceFit(ctx context.Context, name, kind string, dim, nfit int, params []byte, vs []Vector) (*Model, int, error) {
	var m *Model
	var stored int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = replaceModel(ctx, tx, name, kind, dim, nfit, params, s.stamp()); err != nil {
			return err
		}
		stored, err = rewriteVectors(ctx, tx, m, vs)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return m, stored, nil
}

// ReplaceFitStream is ReplaceFit for a corpus too large to hold: within
// the one transaction, it reads every paper's text in batches (by pid) and
// stores the vectors embed returns for each batch (a paper embed leaves
// out gets no vector), so that memory holds one batch at a time. progress,
// when set, is told the number of papers of each batch done.
func (s *Store) ReplaceFitStream(ctx context.Context, name, kind string, dim, nfit int, params []byte,
	embed func([]TextToEmbed) ([]Vector, error), progress func(int)) (*Model, int, error) {
	var m *Model
	var stored int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = replaceModel(ctx, tx, name, kind, dim, nfit, params, s.stamp()); err != nil {
			return err
		}
		w, err := newVectorWriter(ctx, tx, m)
		if err != nil {
			return err
		}
		defer w.close()
		var after int64 = -1 << 62
		for {
			batch, err := textsAfter(ctx, tx, after, streamBatch)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			after = batch[len(batch)-1].PID
			hash := make(map[int64]string, len(batch))
			for _, t := range batch {
				hash[t.PID] = t.Hash
			}
			vs, err := embed(batch)
			if err != nil {
				return err
			}
			for _, v := range vs {
				if h, ok := hash[v.PID]; !ok || h != v.Hash {
					continue
				}
				delete(hash, v.PID)
				if err := w.add(v); err != nil {
					return err
				}
			}
			if progress != nil {
				progress(len(batch))
			}
		}
		stored, err = w.finish()
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return m, stored, nil
}

// rewriteVectors replaces every vector of model m by vs, within tx; a
// vector whose hash is no longer its paper's (or whose paper is gone) is
// not stored, and a paper given twice is stored once.
func rewriteVectors(ctx context.Context, tx *sql.Tx, m *Model, vs []Vector) (int, error) {
	for _, q := range []string{`DELETE FROM vec_index WHERE mid = ?`, `DELETE FROM vec_chunks WHERE mid = ?`} {
		if _, err := tx.ExecContext(ctx, q, m.MID); err != nil {
			return 0, err
		}
	}
	hashes := map[int64]string{}
	rows, err := tx.QueryContext(ctx, `SELECT pid, text_hash FROM papers`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var pid int64
		var h string
		if err := rows.Scan(&pid, &h); err != nil {
			rows.Close()
			return 0, err
		}
		hashes[pid] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	w, err := newVectorWriter(ctx, tx, m)
	if err != nil {
		return 0, err
	}
	defer w.close()
	for _, v := range vs {
		if h, ok := hashes[v.PID]; !ok || h != v.Hash {
			continue
		}
		delete(hashes, v.PID)
		if err := w.add(v); err != nil {
			return 0, err
		}
	}
	return w.finish()
}

// streamBatch is how many papers ReplaceFitStream embeds at a time.
const streamBatch = 2048

// textsAfter reads, within tx, the texts of at most n papers whose pid is
// above after, by pid.
func textsAfter(ctx context.Context, tx *sql.Tx, after int64, n int) ([]TextToEmbed, error) {
	rows, err := tx.QueryContext(ctx, `SELECT pid, id, title, abstract, text_hash FROM papers WHERE pid > ? ORDER BY pid LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]TextToEmbed, 0, n)
	for rows.Next() {
		var t TextToEmbed
		if err := rows.Scan(&t.PID, &t.ID, &t.Title, &t.Abstract, &t.Hash); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// replaceModel inserts (or updates) the model name within tx, drops every
// other model of its kind, and clears its vectors.
func replaceModel(ctx context.Context, tx *sql.Tx, name, kind string, dim, nfit int, params []byte, stamp any) (*Model, error) {
	// Inserted before the old is dropped, the new model gets a mid of its
	// own (SQLite reuses the largest mid once it is deleted).
	if _, err := tx.ExecContext(ctx, `INSERT INTO models (name, kind, dim, chunk_cap, n_fit, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET n_fit = excluded.n_fit, params = excluded.params`,
		name, kind, dim, chunkCap(dim), nfit, params, stamp); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM models WHERE kind = ? AND name <> ?`, kind, name); err != nil {
		return nil, err
	}
	m := &Model{Name: name}
	if err := tx.QueryRowContext(ctx, `SELECT mid, kind, dim, chunk_cap, n_fit FROM models WHERE name = ?`, name).
		Scan(&m.MID, &m.Kind, &m.Dim, &m.ChunkCap, &m.NFit); err != nil {
		return nil, err
	}
	for _, q := range []string{`DELETE FROM vec_index WHERE mid = ?`, `DELETE FROM vec_chunks WHERE mid = ?`} {
		if _, err := tx.ExecContext(ctx, q, m.MID); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// vectorWriter writes the vectors of a model whose vectors were cleared,
// into fresh chunks, within a transaction.
type vectorWriter struct {
	ctx    context.Context
	tx     *sql.Tx
	m      *Model
	idx    *sql.Stmt
	c      *chunk
	stored int
}

func newVectorWriter(ctx context.Context, tx *sql.Tx, m *Model) (*vectorWriter, error) {
	idx, err := tx.PrepareContext(ctx, `INSERT INTO vec_index (mid, pid, text_hash, chunk, slot) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	return &vectorWriter{ctx: ctx, tx: tx, m: m, idx: idx, c: &chunk{}}, nil
}

func (w *vectorWriter) add(v Vector) error {
	if len(v.Vec) != w.m.Dim {
		return fmt.Errorf("paper %d: %d dimensions for model %s of %d: %w", v.PID, len(v.Vec), w.m.Name, w.m.Dim, ErrDimensionMism)
	}
	if !ValidVector(v.Vec) {
		return fmt.Errorf("paper %d: %w", v.PID, ErrBadVector)
	}
	if _, err := w.idx.ExecContext(w.ctx, w.m.MID, v.PID, v.Hash, w.c.no, len(w.c.pids)); err != nil {
		return err
	}
	w.c.pids = append(w.c.pids, v.PID)
	w.c.data = append(w.c.data, v.Vec...)
	w.stored++
	if len(w.c.pids) == w.m.ChunkCap {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if w.stored%4096 == 0 {
		return w.ctx.Err()
	}
	return nil
}

func (w *vectorWriter) flush() error {
	if len(w.c.pids) == 0 {
		return nil
	}
	if err := writeChunk(w.ctx, w.tx, w.m.MID, w.c); err != nil {
		return err
	}
	w.c = &chunk{no: w.c.no + 1}
	return nil
}

// finish writes the last chunk and returns the number of vectors stored.
func (w *vectorWriter) finish() (int, error) {
	return w.stored, w.flush()
}

func (w *vectorWriter) close() { w.idx.Close() }
