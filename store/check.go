package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"
)

// Check is what a check of the database found.
type Check struct {
	// Integrity lists what SQLite's integrity check found (empty: none).
	Integrity []string
	// Vectors is the number of stored vectors checked.
	Vectors int
	// Damaged are the vectors that are not finite unit vectors (a flipped
	// bit: SQLite does not checksum its pages).
	Damaged []BadVector
	// Orphans are index entries and chunk slots that point nowhere or at
	// another paper.
	Orphans []BadVector
}

// BadVector is a stored vector that is damaged or orphaned.
type BadVector struct {
	Model string
	Kind  string
	PID   int64
	ID    string // the paper's id, "" when the paper is gone
	Why   string
}

// OK reports whether the check found nothing wrong.
func (c *Check) OK() bool {
	return len(c.Integrity) == 0 && len(c.Damaged) == 0 && len(c.Orphans) == 0
}

// Check checks the whole database: SQLite's integrity check, every stored
// vector, and that the vector index and the chunks agree. It reads
// everything, so it is for doctor, not for every query.
func (s *Store) Check(ctx context.Context) (*Check, error) {
	out := &Check{}
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, err
		}
		if msg != "ok" {
			out.Integrity = append(out.Integrity, msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrapErr(err)
	}
	missing, err := s.missingSchema(ctx)
	if err != nil {
		return nil, err
	}
	out.Integrity = append(out.Integrity, missing...)
	ids, err := s.IDs(ctx)
	if err != nil {
		return nil, err
	}
	models, err := s.models(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		if err := s.checkModel(ctx, m, ids, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// models lists every model.
func (s *Store) models(ctx context.Context) ([]*Model, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM models ORDER BY mid`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*Model
	for _, n := range names {
		m, err := s.Model(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// slotKey is where a vector is.
type slotKey struct {
	chunk int64
	slot  int
}

func (s *Store) checkModel(ctx context.Context, m *Model, ids map[int64]string, out *Check) error {
	bad := func(list *[]BadVector, pid int64, why string) {
		*list = append(*list, BadVector{Model: m.Name, Kind: m.Kind, PID: pid, ID: ids[pid], Why: why})
	}
	// where the index says each paper's vector is
	index := map[slotKey]int64{}
	rows, err := s.db.QueryContext(ctx, `SELECT pid, chunk, slot FROM vec_index WHERE mid = ? ORDER BY pid`, m.MID)
	if err != nil {
		return s.wrapErr(err)
	}
	for rows.Next() {
		var pid, chunk int64
		var slot int
		if err := rows.Scan(&pid, &chunk, &slot); err != nil {
			rows.Close()
			return err
		}
		if _, ok := ids[pid]; !ok {
			bad(&out.Orphans, pid, "its paper is gone")
			continue
		}
		index[slotKey{chunk, slot}] = pid
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[slotKey]bool{}
	rows, err = s.db.QueryContext(ctx, `SELECT chunk, n, pids, data FROM vec_chunks WHERE mid = ? ORDER BY chunk`, m.MID)
	if err != nil {
		return s.wrapErr(err)
	}
	defer rows.Close()
	v := make([]float32, m.Dim)
	for rows.Next() {
		var chunk int64
		var n int
		var pids, data []byte
		if err := rows.Scan(&chunk, &n, &pids, &data); err != nil {
			return err
		}
		if n < 0 || len(pids) != 8*n || len(data) != 4*n*m.Dim {
			out.Orphans = append(out.Orphans, BadVector{Model: m.Name, Kind: m.Kind, PID: -1, Why: fmt.Sprintf("chunk %d has the wrong size", chunk)})
			continue
		}
		for i := 0; i < n; i++ {
			pid := int64(binary.LittleEndian.Uint64(pids[8*i:]))
			k := slotKey{chunk, i}
			seen[k] = true
			out.Vectors++
			if ip, ok := index[k]; !ok || ip != pid {
				bad(&out.Orphans, pid, fmt.Sprintf("chunk %d slot %d is not where the index puts it", chunk, i))
				continue
			}
			decodeFloats(v, data[4*i*m.Dim:4*(i+1)*m.Dim])
			if !ValidVector(v) {
				bad(&out.Damaged, pid, "not a finite unit vector")
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []int64
	for k, pid := range index {
		if !seen[k] {
			missing = append(missing, pid)
		}
	}
	slices.Sort(missing)
	for _, pid := range missing {
		bad(&out.Orphans, pid, "the index points at a slot that does not exist")
	}
	return nil
}

// Repair drops the vectors a Check found damaged or orphaned, and rebuilds
// the vector index of their models from what is sound, in one transaction.
// The papers that lose their vector are embedded again by the next embed.
// It returns how many vectors are kept.
func (s *Store) Repair(ctx context.Context, c *Check) (int, error) {
	drop := map[string]map[int64]bool{}
	for _, b := range append(append([]BadVector(nil), c.Damaged...), c.Orphans...) {
		if drop[b.Model] == nil {
			drop[b.Model] = map[int64]bool{}
		}
		drop[b.Model][b.PID] = true
	}
	names := make([]string, 0, len(drop))
	for n := range drop {
		names = append(names, n)
	}
	slices.Sort(names)
	kept := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, name := range names {
			var m Model
			err := tx.QueryRowContext(ctx, `SELECT mid, name, kind, dim, chunk_cap FROM models WHERE name = ?`, name).Scan(&m.MID, &m.Name, &m.Kind, &m.Dim, &m.ChunkCap)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			vs, err := soundVectors(ctx, tx, &m, drop[name])
			if err != nil {
				return err
			}
			n, err := rewriteVectors(ctx, tx, &m, vs)
			if err != nil {
				return err
			}
			kept += n
		}
		return nil
	})
	return kept, err
}

// soundVectors reads the vectors of m that are where the index says, valid,
// and not to be dropped, with the text hash the index gives them.
func soundVectors(ctx context.Context, tx *sql.Tx, m *Model, drop map[int64]bool) ([]Vector, error) {
	type at struct {
		hash string
		key  slotKey
	}
	where := map[int64]at{}
	rows, err := tx.QueryContext(ctx, `SELECT pid, text_hash, chunk, slot FROM vec_index WHERE mid = ?`, m.MID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid int64
		var a at
		if err := rows.Scan(&pid, &a.hash, &a.key.chunk, &a.key.slot); err != nil {
			rows.Close()
			return nil, err
		}
		where[pid] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT chunk, n, pids, data FROM vec_chunks WHERE mid = ? ORDER BY chunk`, m.MID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Vector
	for rows.Next() {
		var chunk int64
		var n int
		var pids, data []byte
		if err := rows.Scan(&chunk, &n, &pids, &data); err != nil {
			return nil, err
		}
		if n < 0 || len(pids) != 8*n || len(data) != 4*n*m.Dim {
			continue
		}
		for i := 0; i < n; i++ {
			pid := int64(binary.LittleEndian.Uint64(pids[8*i:]))
			a, ok := where[pid]
			if drop[pid] || !ok || a.key != (slotKey{chunk, i}) {
				continue
			}
			v := make([]float32, m.Dim)
			decodeFloats(v, data[4*i*m.Dim:4*(i+1)*m.Dim])
			if ValidVector(v) {
				out = append(out, Vector{PID: pid, Hash: a.hash, Vec: v})
			}
		}
	}
	return out, rows.Err()
}

// schemaStmt is a statement of the migrations that makes or drops a table
// or an index.
var schemaStmt = lazyre.New(`(?i)\b(CREATE|DROP)\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)`)

// expectedSchema is every table and index the migrations leave, by name,
// with its kind ("table" or "index").
func expectedSchema() (map[string]string, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	want := map[string]string{}
	for _, m := range ms {
		var code strings.Builder
		for _, line := range strings.Split(m.sql, "\n") {
			line, _, _ = strings.Cut(line, "--")
			code.WriteString(line + "\n")
		}
		for _, st := range schemaStmt.Regexp().FindAllStringSubmatch(code.String(), -1) {
			if strings.EqualFold(st[1], "CREATE") {
				want[st[3]] = strings.ToLower(st[2])
			} else {
				delete(want, st[3])
			}
		}
	}
	return want, nil
}

// missingSchema names the tables and indexes of the schema that are not in
// the file (dropped by hand, or lost to damage).
func (s *Store) missingSchema(ctx context.Context) ([]string, error) {
	want, err := expectedSchema()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, s.wrapErr(err)
		}
		delete(want, name)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrapErr(err)
	}
	var out []string
	for name, kind := range want {
		out = append(out, fmt.Sprintf("the %s %s is missing", kind, name))
	}
	slices.Sort(out)
	return out, nil
}
