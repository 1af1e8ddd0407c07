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
		// Inserted before the old is dropped, the new model gets a mid of
		// its own (SQLite reuses the largest mid once it is deleted).
		if _, err := tx.ExecContext(ctx, `INSERT INTO models (name, kind, dim, chunk_cap, n_fit, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET n_fit = excluded.n_fit, params = excluded.params`,
			name, kind, dim, chunkCap(dim), nfit, params, s.stamp()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM models WHERE kind = ? AND name <> ?`, kind, name); err != nil {
			return err
		}
		m = &Model{Name: name}
		if err := tx.QueryRowContext(ctx, `SELECT mid, kind, dim, chunk_cap, n_fit FROM models WHERE name = ?`, name).
			Scan(&m.MID, &m.Kind, &m.Dim, &m.ChunkCap, &m.NFit); err != nil {
			return err
		}
		var err error
		stored, err = rewriteVectors(ctx, tx, m, vs)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return m, stored, nil
}

// rewriteVectors replaces every vector of model m by vs, within tx.
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
	idx, err := tx.PrepareContext(ctx, `INSERT INTO vec_index (mid, pid, text_hash, chunk, slot) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer idx.Close()
	c := &chunk{}
	flush := func() error {
		if len(c.pids) == 0 {
			return nil
		}
		if err := writeChunk(ctx, tx, m.MID, c); err != nil {
			return err
		}
		c = &chunk{no: c.no + 1}
		return nil
	}
	stored := 0
	for _, v := range vs {
		if len(v.Vec) != m.Dim {
			return 0, fmt.Errorf("paper %d: %d dimensions for model %s of %d: %w", v.PID, len(v.Vec), m.Name, m.Dim, ErrDimensionMism)
		}
		if !ValidVector(v.Vec) {
			return 0, fmt.Errorf("paper %d: %w", v.PID, ErrBadVector)
		}
		if h, ok := hashes[v.PID]; !ok || h != v.Hash {
			continue
		}
		delete(hashes, v.PID) // a paper given twice is stored once
		if _, err := idx.ExecContext(ctx, m.MID, v.PID, v.Hash, c.no, len(c.pids)); err != nil {
			return 0, err
		}
		c.pids = append(c.pids, v.PID)
		c.data = append(c.data, v.Vec...)
		stored++
		if len(c.pids) == m.ChunkCap {
			if err := flush(); err != nil {
				return 0, err
			}
		}
		if stored%4096 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
	return stored, flush()
}
