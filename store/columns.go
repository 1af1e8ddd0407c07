package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// IDs returns every paper's id by pid.
func (s *Store) IDs(ctx context.Context) (map[int64]string, error) {
	return s.column(ctx, `SELECT pid, id FROM papers`)
}

// Titles returns the titles of the papers with these pids.
func (s *Store) Titles(ctx context.Context, pids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(pids))
	err := s.TitlesOf(ctx, pids, func(pid int64, title string) { out[pid] = title })
	return out, err
}

// Dates returns every dated paper's date (YYYY-MM-DD) by pid.
func (s *Store) Dates(ctx context.Context) (map[int64]string, error) {
	return s.column(ctx, `SELECT pid, date FROM papers WHERE date IS NOT NULL`)
}

// column runs a query of (pid, text) rows into a map.
func (s *Store) column(ctx context.Context, query string) (map[int64]string, error) {
	out := map[int64]string{}
	err := s.eachPair(ctx, func(pid int64, v string) { out[pid] = v }, query)
	return out, err
}

// EachName calls fn with every paper's pid and id, in the order of ids. It
// reads the ids' own index, not the papers.
func (s *Store) EachName(ctx context.Context, fn func(pid int64, id string)) error {
	return s.eachPair(ctx, fn, `SELECT pid, id FROM papers ORDER BY id`)
}

// NamesOf calls fn with the pid and id of each paper of pids, read by its
// key (a pid with no paper is left out), in increasing pid order.
func (s *Store) NamesOf(ctx context.Context, pids []int64, fn func(pid int64, id string)) error {
	return s.byKey(ctx, `SELECT pid, id FROM papers WHERE pid IN `, pids, fn)
}

// EachTitle calls fn with every paper's pid and title, in one scan of the
// table.
func (s *Store) EachTitle(ctx context.Context, fn func(pid int64, title string)) error {
	return s.eachPair(ctx, fn, `SELECT pid, title FROM papers`)
}

// TitlesOf calls fn with the pid and title of each paper of pids, read by
// its key (a pid with no paper is left out), in increasing pid order.
func (s *Store) TitlesOf(ctx context.Context, pids []int64, fn func(pid int64, title string)) error {
	return s.byKey(ctx, `SELECT pid, title FROM papers WHERE pid IN `, pids, fn)
}

// byKey runs query (ending in "IN ") over pids, 500 at a time, in
// increasing pid order, and calls fn with each (pid, text) row.
func (s *Store) byKey(ctx context.Context, query string, pids []int64, fn func(pid int64, v string)) error {
	return inBatches(pids, func(in string, args []any) error {
		return s.eachPair(ctx, fn, query+in+` ORDER BY pid`, args...)
	})
}

// inBatches calls run with "(?,?,...)" and its arguments for the pids,
// sorted, 500 at a time (one query of many keys instead of one query a
// key: the 2,000 texts group labels from in 25-40 ms instead of 55-70).
func inBatches(pids []int64, run func(in string, args []any) error) error {
	sorted := slices.Clone(pids)
	slices.Sort(sorted)
	for lo := 0; lo < len(sorted); lo += 500 {
		hi := min(lo+500, len(sorted))
		args := make([]any, hi-lo)
		for i, p := range sorted[lo:hi] {
			args[i] = p
		}
		if err := run(`(?`+strings.Repeat(",?", hi-lo-1)+`)`, args); err != nil {
			return err
		}
	}
	return nil
}

// eachPair runs query, whose rows are (pid, text), and calls fn with each.
func (s *Store) eachPair(ctx context.Context, fn func(pid int64, v string), query string, args ...any) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var v string
		if err := rows.Scan(&pid, &v); err != nil {
			// a NULL or a blob where papersift writes text: damage
			return fmt.Errorf("%s: %w: %w", s.path, ErrCorrupt, err)
		}
		fn(pid, v)
	}
	return rows.Err()
}

// MaxPID is the largest paper pid (0 without papers): about the number of
// papers, which are never deleted, found without counting them.
func (s *Store) MaxPID(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(pid), 0) FROM papers`).Scan(&n)
	return n, s.wrapErr(err)
}

// Identity is what identifies a stored paper.
type Identity struct {
	PID                        int64
	ID, ArxivID, DOI, TitleKey string
}

// Identities returns every paper's identity, in one scan (for matching a
// reader's reference list against the database).
func (s *Store) Identities(ctx context.Context) ([]Identity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pid, id, COALESCE(arxiv_id, ''), COALESCE(doi, ''), title_key FROM papers ORDER BY pid`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var x Identity
		if err := rows.Scan(&x.PID, &x.ID, &x.ArxivID, &x.DOI, &x.TitleKey); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// PIDsOf returns the pids of the papers with these ids (ids not stored are
// left out).
func (s *Store) PIDsOf(ctx context.Context, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	for lo := 0; lo < len(ids); lo += 500 {
		batch := ids[lo:min(lo+500, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT pid, id FROM papers WHERE id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, s.wrapErr(err)
		}
		for rows.Next() {
			var pid int64
			var id string
			if err := rows.Scan(&pid, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = pid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
