package store

import "context"

// Dates returns every dated paper's date (YYYY-MM-DD) by pid.
func (s *Store) Dates(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pid, date FROM papers WHERE date IS NOT NULL`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var pid int64
		var d string
		if err := rows.Scan(&pid, &d); err != nil {
			return nil, err
		}
		out[pid] = d
	}
	return out, rows.Err()
}
