package store

import (
	"context"
	"database/sql"
)

// ReplaceFit stores a fit of the built-in model as the model name, with its
// parameters and the vectors of its papers, and drops every other model of
// the same kind with its vectors, all in one transaction: a reader (another
// process) sees the old model with its vectors or the new one with its
// vectors, never a model without them. It returns the model and the number
// of vectors stored (see PutVectors for those that are not).
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
		stored, err = putVectors(ctx, tx, m, vs)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return m, stored, nil
}
