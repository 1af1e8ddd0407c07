package main

// Invariants of a papersift database, checked after crashes and under
// concurrent use.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/store"
)

// storedPaper is what the database holds of a paper, as compared with what
// was ingested.
type storedPaper struct {
	Title, Abstract, Date, URL string
	Authors                    []string
	Lists                      []string // sorted
}

func (p storedPaper) String() string {
	return fmt.Sprintf("{title %q, abstract %.40q..., authors %v, date %s, url %s, lists %v}", p.Title, p.Abstract, p.Authors, p.Date, p.URL, p.Lists)
}

func (p storedPaper) equal(q storedPaper) bool {
	return p.Title == q.Title && p.Abstract == q.Abstract && p.Date == q.Date && p.URL == q.URL &&
		slices.Equal(p.Authors, q.Authors) && slices.Equal(p.Lists, q.Lists)
}

// dbState is what checkDB read.
type dbState struct {
	papers  map[string]storedPaper // by id
	lists   []string               // sorted
	vectors map[string]int         // per model name
}

// checkDB opens the database read-only and checks what must hold whatever
// happened to the processes that wrote it:
//   - PRAGMA integrity_check is ok and no foreign key dangles;
//   - every paper's text hash is the hash of its stored title and abstract;
//   - every vec_index row points at a chunk slot that holds its paper, and
//     its text hash is the paper's current one (no vector of an older text);
//   - every slot of every chunk is indexed exactly once (no vector of a
//     paper that is gone), and every vector has unit length;
//   - at most one built-in model is kept.
func checkDB(t *testing.T, path string) *dbState {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after the run: %v", err)
	}
	defer s.Close()
	// A read-only store reads one snapshot, even while other processes write.
	db := s.DB()
	q := func(query string, each func(scan func(...any) error) error) {
		t.Helper()
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows.Scan); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}

	var problems []string
	q(`PRAGMA integrity_check`, func(scan func(...any) error) error {
		var msg string
		if err := scan(&msg); err != nil {
			return err
		}
		if msg != "ok" {
			problems = append(problems, "integrity_check: "+msg)
		}
		return nil
	})
	q(`PRAGMA foreign_key_check`, func(scan func(...any) error) error {
		var table, parent string
		var rowid, fkid any
		if err := scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		problems = append(problems, fmt.Sprintf("foreign key: %s row %v points at a missing %s", table, rowid, parent))
		return nil
	})

	st := &dbState{papers: map[string]storedPaper{}, vectors: map[string]int{}}
	byPID := map[int64]string{}
	hashes := map[int64]string{}
	q(`SELECT pid, id, title, abstract, authors, coalesce(date, ''), coalesce(url, ''), text_hash FROM papers`, func(scan func(...any) error) error {
		var pid int64
		var id, authors, hash string
		var p storedPaper
		if err := scan(&pid, &id, &p.Title, &p.Abstract, &authors, &p.Date, &p.URL, &hash); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(authors), &p.Authors); err != nil {
			return fmt.Errorf("paper %s: authors %q: %v", id, authors, err)
		}
		if want := embed.TextHash(embed.Text(p.Title, p.Abstract)); hash != want {
			problems = append(problems, fmt.Sprintf("paper %s: text_hash %s is not the hash of its text (%s)", id, hash, want))
		}
		st.papers[id] = p
		byPID[pid] = id
		hashes[pid] = hash
		return nil
	})
	q(`SELECT lp.pid, l.name FROM list_papers lp JOIN lists l ON l.lid = lp.lid ORDER BY l.name`, func(scan func(...any) error) error {
		var pid int64
		var name string
		if err := scan(&pid, &name); err != nil {
			return err
		}
		id := byPID[pid]
		p := st.papers[id]
		p.Lists = append(p.Lists, name)
		st.papers[id] = p
		return nil
	})
	q(`SELECT name FROM lists ORDER BY name`, func(scan func(...any) error) error {
		var name string
		err := scan(&name)
		st.lists = append(st.lists, name)
		return err
	})

	type model struct {
		name, kind string
		dim        int
	}
	models := map[int64]model{}
	locals := 0
	q(`SELECT mid, name, kind, dim FROM models`, func(scan func(...any) error) error {
		var mid int64
		var m model
		if err := scan(&mid, &m.name, &m.kind, &m.dim); err != nil {
			return err
		}
		models[mid] = m
		if m.kind == "local" {
			locals++
		}
		return nil
	})
	if locals > 1 {
		problems = append(problems, fmt.Sprintf("%d built-in models are kept, want at most 1", locals))
	}
	type slotKey struct{ mid, chunk, slot int64 }
	slots := map[slotKey]int64{}
	q(`SELECT mid, chunk, n, pids, data FROM vec_chunks`, func(scan func(...any) error) error {
		var mid, no int64
		var n int
		var pids, data []byte
		if err := scan(&mid, &no, &n, &pids, &data); err != nil {
			return err
		}
		m, ok := models[mid]
		if !ok {
			problems = append(problems, fmt.Sprintf("chunk %d of a missing model %d", no, mid))
			return nil
		}
		if len(pids) != 8*n || len(data) != 4*n*m.dim {
			problems = append(problems, fmt.Sprintf("model %s chunk %d: n=%d but %d pid bytes, %d data bytes", m.name, no, n, len(pids), len(data)))
			return nil
		}
		for i := 0; i < n; i++ {
			slots[slotKey{mid, no, int64(i)}] = int64(binary.LittleEndian.Uint64(pids[8*i:]))
			var norm float64
			for j := 0; j < m.dim; j++ {
				x := float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*(i*m.dim+j):])))
				norm += x * x
			}
			if math.Abs(norm-1) > 1e-3 {
				problems = append(problems, fmt.Sprintf("model %s chunk %d slot %d: squared norm %g", m.name, no, i, norm))
			}
		}
		return nil
	})
	indexed := map[slotKey]bool{}
	q(`SELECT mid, pid, text_hash, chunk, slot FROM vec_index`, func(scan func(...any) error) error {
		var k slotKey
		var pid int64
		var hash string
		if err := scan(&k.mid, &pid, &hash, &k.chunk, &k.slot); err != nil {
			return err
		}
		id, ok := byPID[pid]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("vector of a missing paper pid %d", pid))
		case hash != hashes[pid]:
			problems = append(problems, fmt.Sprintf("paper %s: its vector is of an older text (hash %s, paper %s)", id, hash, hashes[pid]))
		}
		if got, ok := slots[k]; !ok || got != pid {
			problems = append(problems, fmt.Sprintf("paper pid %d: vec_index points at model %d chunk %d slot %d, which holds pid %d (present %v)", pid, k.mid, k.chunk, k.slot, got, ok))
		}
		if indexed[k] {
			problems = append(problems, fmt.Sprintf("two vec_index rows point at model %d chunk %d slot %d", k.mid, k.chunk, k.slot))
		}
		indexed[k] = true
		st.vectors[models[k.mid].name]++
		return nil
	})
	for k, pid := range slots {
		if !indexed[k] {
			problems = append(problems, fmt.Sprintf("model %d chunk %d slot %d holds pid %d but nothing indexes it", k.mid, k.chunk, k.slot, pid))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
		}
		t.Fatalf("database %s is inconsistent:\n  %s", path, strings.Join(problems, "\n  "))
	}
	return st
}

// expected is what the database should hold: the papers of every ingest
// that committed.
type expected struct {
	papers map[string]storedPaper
	lists  []string
}

func newExpected() *expected { return &expected{papers: map[string]storedPaper{}} }

// apply records that an ingest of ps as list committed. Every synthetic
// record has every field, so the stored paper is the latest record.
func (e *expected) apply(list string, ps []synthPaper) {
	for _, p := range ps {
		old := e.papers[p.ID]
		lists := old.Lists
		if !slices.Contains(lists, list) {
			lists = append(slices.Clone(lists), list)
			slices.Sort(lists)
		}
		e.papers[p.ID] = storedPaper{Title: p.Title, Abstract: p.Abstract, Date: p.Date, URL: p.URL, Authors: p.Authors, Lists: lists}
	}
	if !slices.Contains(e.lists, list) {
		e.lists = append(e.lists, list)
		slices.Sort(e.lists)
	}
}

// compare fails unless the database holds exactly the expected papers and lists.
func (e *expected) compare(t *testing.T, st *dbState) {
	t.Helper()
	var problems []string
	for id, want := range e.papers {
		got, ok := st.papers[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("paper %s is missing", id))
		case !got.equal(want):
			problems = append(problems, fmt.Sprintf("paper %s:\n    got  %v\n    want %v", id, got, want))
		}
	}
	for id, got := range st.papers {
		if _, ok := e.papers[id]; !ok {
			problems = append(problems, fmt.Sprintf("paper %s is stored but no ingest of it committed: %v", id, got))
		}
	}
	if !slices.Equal(st.lists, e.lists) {
		problems = append(problems, fmt.Sprintf("lists %v, want %v", st.lists, e.lists))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("... and %d more", len(problems)-10))
		}
		t.Fatalf("the database does not hold what was ingested:\n  %s", strings.Join(problems, "\n  "))
	}
}
