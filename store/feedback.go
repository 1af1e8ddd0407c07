package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Feedback kinds.
const (
	Like    = "like"
	Dislike = "dislike"
	Read    = "read"
)

// Rate records a reader's feedback on papers in one transaction: Like and
// Dislike replace each other; Read is kept beside them.
func (s *Store) Rate(ctx context.Context, kind string, pids []int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		for _, pid := range pids {
			var err error
			switch kind {
			case Like, Dislike:
				_, err = tx.ExecContext(ctx, `INSERT INTO feedback (pid, kind, at) VALUES (?, ?, ?) ON CONFLICT (pid) DO UPDATE SET kind = excluded.kind, at = excluded.at`, pid, kind, now)
			case Read:
				_, err = tx.ExecContext(ctx, `INSERT INTO reads (pid, at) VALUES (?, ?) ON CONFLICT (pid) DO UPDATE SET at = excluded.at`, pid, now)
			default:
				return fmt.Errorf("unknown feedback %q", kind)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Unrate removes every feedback (like, dislike, read) on papers.
func (s *Store) Unrate(ctx context.Context, pids []int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, pid := range pids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM feedback WHERE pid = ?`, pid); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM reads WHERE pid = ?`, pid); err != nil {
				return err
			}
		}
		return nil
	})
}

// Rated is one paper's feedback.
type Rated struct {
	PID int64
	ID  string
	At  string
}

// Profile is the reader's feedback and interests.
type Profile struct {
	Likes, Dislikes, Read []Rated
	Interests             []string
}

// Empty reports whether the profile has nothing to rank against.
func (p *Profile) Empty() bool { return len(p.Likes) == 0 && len(p.Interests) == 0 }

// Profile returns the reader's profile, each part in the order it was given.
func (s *Store) Profile(ctx context.Context) (*Profile, error) {
	p := &Profile{}
	q := func(dst *[]Rated, query string, args ...any) error {
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return s.wrapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Rated
			if err := rows.Scan(&r.PID, &r.ID, &r.At); err != nil {
				return err
			}
			*dst = append(*dst, r)
		}
		return rows.Err()
	}
	if err := q(&p.Likes, `SELECT f.pid, p.id, f.at FROM feedback f JOIN papers p ON p.pid = f.pid WHERE f.kind = ? ORDER BY f.at, p.id`, Like); err != nil {
		return nil, err
	}
	if err := q(&p.Dislikes, `SELECT f.pid, p.id, f.at FROM feedback f JOIN papers p ON p.pid = f.pid WHERE f.kind = ? ORDER BY f.at, p.id`, Dislike); err != nil {
		return nil, err
	}
	if err := q(&p.Read, `SELECT r.pid, p.id, r.at FROM reads r JOIN papers p ON p.pid = r.pid ORDER BY r.at, p.id`); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT text FROM interests ORDER BY at, text`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		p.Interests = append(p.Interests, t)
	}
	return p, rows.Err()
}

// AddInterest adds a free-text interest (adding one twice is harmless).
func (s *Store) AddInterest(ctx context.Context, text string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO interests (text, at) VALUES (?, ?) ON CONFLICT (text) DO NOTHING`, text, s.stamp())
	return s.wrapErr(err)
}

// RemoveInterest removes an interest; ErrNotFound when there is none such.
func (s *Store) RemoveInterest(ctx context.Context, text string) error {
	r, err := s.db.ExecContext(ctx, `DELETE FROM interests WHERE text = ?`, text)
	if err != nil {
		return s.wrapErr(err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("interest %q: %w", text, ErrNotFound)
	}
	return nil
}

// Stats counts what the database holds.
type Stats struct {
	Papers  int
	Lists   int
	Vectors map[string]int
}

// Stats returns counts of papers, lists and vectors per model.
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{}
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM lists)`).Scan(&st.Papers, &st.Lists); err != nil {
		return nil, s.wrapErr(err)
	}
	var err error
	st.Vectors, err = s.VectorCounts(ctx)
	return st, err
}

// Rating is a paper's feedback: Like, Dislike or "", and whether it is read.
type Rating struct {
	Feedback string
	Read     bool
}

// Ratings returns the ratings of the papers with these pids (a paper not
// rated is absent).
func (s *Store) Ratings(ctx context.Context, pids []int64) (map[int64]Rating, error) {
	want := make(map[int64]bool, len(pids))
	for _, p := range pids {
		want[p] = true
	}
	out := map[int64]Rating{}
	rows, err := s.db.QueryContext(ctx, `SELECT pid, kind, 0 FROM feedback UNION ALL SELECT pid, '', 1 FROM reads`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var kind string
		var read bool
		if err := rows.Scan(&pid, &kind, &read); err != nil {
			return nil, err
		}
		if !want[pid] {
			continue
		}
		r := out[pid]
		if read {
			r.Read = true
		} else {
			r.Feedback = kind
		}
		out[pid] = r
	}
	return out, rows.Err()
}

// RateAt is Rate with the time of each rating (RFC 3339; "" is now): a
// profile read back from a file keeps its order.
func (s *Store) RateAt(ctx context.Context, kind string, pids []int64, at []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		for i, pid := range pids {
			when := now
			if i < len(at) && at[i] != "" {
				when = at[i]
			}
			var err error
			switch kind {
			case Like, Dislike:
				_, err = tx.ExecContext(ctx, `INSERT INTO feedback (pid, kind, at) VALUES (?, ?, ?) ON CONFLICT (pid) DO UPDATE SET kind = excluded.kind, at = excluded.at`, pid, kind, when)
			case Read:
				_, err = tx.ExecContext(ctx, `INSERT INTO reads (pid, at) VALUES (?, ?) ON CONFLICT (pid) DO UPDATE SET at = excluded.at`, pid, when)
			default:
				return fmt.Errorf("unknown feedback %q", kind)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// AddInterestAt is AddInterest with the time it was added ("" is now).
func (s *Store) AddInterestAt(ctx context.Context, text, at string) error {
	if at == "" {
		at = s.stamp()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO interests (text, at) VALUES (?, ?) ON CONFLICT (text) DO NOTHING`, text, at)
	return s.wrapErr(err)
}

// InterestTimes returns when each interest was added.
func (s *Store) InterestTimes(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT text, at FROM interests`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var t, at string
		if err := rows.Scan(&t, &at); err != nil {
			return nil, err
		}
		out[t] = at
	}
	return out, rows.Err()
}
