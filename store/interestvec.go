package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"strings"
)

// InterestVectors returns the stored vectors of model for those of texts
// that have one (valid unit vectors of dim values only: anything else is
// as good as none, and is embedded again), and a nil vector for those
// marked as having none under model (see PutInterestVectors).
func (s *Store) InterestVectors(ctx context.Context, model string, dim int, texts []string) (map[string][]float32, error) {
	out := map[string][]float32{}
	if len(texts) == 0 {
		return out, nil
	}
	args := []any{model}
	for _, t := range texts {
		args = append(args, t)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT text, vec FROM interest_vectors WHERE model = ? AND text IN (?`+strings.Repeat(",?", len(texts)-1)+`)`, args...)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var text string
		var b []byte
		if err := rows.Scan(&text, &b); err != nil {
			return nil, err
		}
		if len(b) == 0 {
			out[text] = nil // known to have no vector of model
			continue
		}
		if len(b) != 4*dim {
			continue
		}
		v := make([]float32, dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		if ValidVector(v) {
			out[text] = v
		}
	}
	return out, rows.Err()
}

// PutInterestVectors stores the vectors of model for interests (texts that
// are no longer interests are left out), and drops those of other models.
// A nil vector records that the text has none under model (no word of it
// is known): InterestVectors then gives it with a nil vector.
func (s *Store) PutInterestVectors(ctx context.Context, model string, vs map[string][]float32) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM interest_vectors WHERE model <> ?`, model); err != nil {
			return err
		}
		for text, v := range vs {
			b := make([]byte, 0, 4*len(v))
			for _, x := range v {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO interest_vectors (model, text, vec) SELECT ?, text, ? FROM interests WHERE text = ?
				ON CONFLICT (model, text) DO UPDATE SET vec = excluded.vec`, model, b, text); err != nil {
				return err
			}
		}
		return nil
	})
}
