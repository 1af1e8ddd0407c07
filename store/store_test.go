package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/papersift/papersift/paper"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "sub", "p.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mkPaper(id, title, abstract string) Row {
	return Row{Paper: paper.Paper{ID: id, Title: title, Abstract: abstract}, TitleKey: title, TextHash: "h-" + title + abstract}
}

func TestOpenCreatesFolderAndMigrates(t *testing.T) {
	s := openTest(t)
	var v int
	if err := s.DB().QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion())
	}
	var mode string
	if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var timeout int
	if err := s.DB().QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout < 1000 {
		t.Errorf("busy_timeout = %d (%v)", timeout, err)
	}
}

func TestRefusesNewerSchemaAndNonSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	known := ms[len(ms)-1].version
	// a damaged version (a flipped bit): not every step up to it
	if _, err := s.DB().Exec(`UPDATE schema_migrations SET version = version + 128 WHERE version = ?`, known); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("a damaged version: %v, want ErrCorrupt", err)
	}
	// a newer papersift's: every step up to its own
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE schema_migrations SET version = version - 128 WHERE version > 128`); err != nil {
		t.Fatal(err)
	}
	for v := known + 1; v <= known+3; v++ {
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'now')`, v); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("newer schema: %v, want ErrSchemaTooNew", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("these are not the bytes of an SQLite database, not at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, junk, Options{}); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("not SQLite: %v, want ErrNotDatabase", err)
	}
}

func TestIngestMergesAndCounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	derived := mkPaper("title-abc", "Spiking Brains", "About spikes.")
	derived.DerivedID = true
	res, err := s.Ingest(ctx, []Batch{{List: "day1", Papers: []Row{derived, mkPaper("2401.00001", "Other", "Else.")}}})
	if err != nil || res.New != 2 || res.Read != 2 {
		t.Fatalf("first ingest: %+v %v", res, err)
	}
	// the same title arrives with an arXiv id: one paper, keeping the real id
	withID := mkPaper("2405.12345", "Spiking Brains", "About spikes.")
	withID.ArxivID = "2405.12345"
	withID.TextHash = derived.TextHash
	res, err = s.Ingest(ctx, []Batch{{List: "day2", Papers: []Row{withID}}})
	if err != nil || res.New != 0 || res.Updated != 1 || len(res.Changed) != 0 {
		t.Fatalf("merge: %+v %v", res, err)
	}
	ps, err := s.Papers(ctx, Filter{})
	if err != nil || len(ps) != 2 {
		t.Fatalf("papers: %d %v", len(ps), err)
	}
	var merged *Row
	for i := range ps {
		if ps[i].ID == "2405.12345" {
			merged = &ps[i]
		}
	}
	if merged == nil || merged.DerivedID || len(merged.Lists) != 2 {
		t.Fatalf("merged paper = %+v", merged)
	}
	// two different real ids with the same title are never merged
	twin := mkPaper("2405.99999", "Spiking Brains", "About spikes.")
	res, err = s.Ingest(ctx, []Batch{{List: "day2", Papers: []Row{twin}}})
	if err != nil || res.New != 1 {
		t.Fatalf("different ids merged: %+v %v", res, err)
	}
	// a changed abstract is an update that reports the changed text
	changed := mkPaper("2401.00001", "Other", "A new abstract.")
	res, err = s.Ingest(ctx, []Batch{{List: "day3", Papers: []Row{changed}}})
	if err != nil || res.Updated != 1 || len(res.Changed) != 1 {
		t.Fatalf("changed abstract: %+v %v", res, err)
	}
	// unchanged again: nothing
	res, err = s.Ingest(ctx, []Batch{{List: "day3", Papers: []Row{changed}}})
	if err != nil || res.Updated != 0 || res.New != 0 {
		t.Fatalf("unchanged: %+v %v", res, err)
	}
}

func TestIngestIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// the second batch's paper breaks the papers table's UNIQUE id through
	// an update to an id that exists: the first batch must roll back too
	if _, err := s.DB().Exec(`CREATE TRIGGER fail_y BEFORE INSERT ON papers WHEN NEW.id = 'y' BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Ingest(ctx, []Batch{{List: "l1", Papers: []Row{mkPaper("x", "T", "A")}}, {List: "l2", Papers: []Row{mkPaper("y", "U", "B")}}})
	if err == nil {
		t.Fatal("ingest with a failing paper succeeded")
	}
	n, err := s.Count(ctx)
	if err != nil || n != 0 {
		t.Fatalf("after a failed ingest: %d papers (%v), want 0", n, err)
	}
	lists, _ := s.Lists(ctx)
	if len(lists) != 0 {
		t.Errorf("after a failed ingest: lists %v", lists)
	}
}

func unit(dim int, seed float32) []float32 {
	v := make([]float32, dim)
	var ss float64
	for i := range v {
		v[i] = float32(math.Sin(float64(seed) + float64(i)))
		ss += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(ss))
	}
	return v
}

func TestVectorsRoundTripAcrossChunks(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var ps []Row
	for i := 0; i < 50; i++ {
		ps = append(ps, mkPaper(string(rune('a'+i%26))+string(rune('a'+i/26)), "t"+string(rune('A'+i)), "abs"))
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.EnsureModel(ctx, "test/m", "openai", 4)
	if err != nil {
		t.Fatal(err)
	}
	m.ChunkCap = 16 // force several chunks
	texts, err := s.Missing(ctx, m.MID, 0)
	if err != nil || len(texts) != 50 {
		t.Fatalf("missing: %d %v", len(texts), err)
	}
	want := map[int64][]float32{}
	for lo := 0; lo < 50; lo += 7 { // batches that straddle chunks
		var vs []Vector
		for _, tt := range texts[lo:min(lo+7, 50)] {
			v := unit(4, float32(tt.PID))
			want[tt.PID] = v
			vs = append(vs, Vector{PID: tt.PID, Hash: tt.Hash, Vec: v})
		}
		if n, err := s.PutVectors(ctx, m, vs); err != nil || n != len(vs) {
			t.Fatalf("put: %d %v", n, err)
		}
	}
	var chunks int
	s.DB().QueryRow(`SELECT count(*) FROM vec_chunks WHERE mid = ?`, m.MID).Scan(&chunks)
	if chunks != 4 {
		t.Errorf("%d chunks, want 4 of 16", chunks)
	}
	check := func(label string, wantN int) {
		t.Helper()
		mat, err := s.LoadVectors(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(mat.PIDs) != wantN {
			t.Fatalf("%s: %d vectors, want %d", label, len(mat.PIDs), wantN)
		}
		for i, pid := range mat.PIDs {
			w, ok := want[pid]
			if !ok {
				t.Fatalf("%s: unexpected paper %d", label, pid)
			}
			for j, x := range mat.Row(i) {
				if x != w[j] {
					t.Fatalf("%s: paper %d: got %v, want %v", label, pid, mat.Row(i), w)
				}
			}
		}
	}
	check("stored", 50)
	// a scan sees the same vectors, chunk by chunk; VectorOf finds one
	seen := 0
	err = s.ScanVectors(ctx, m, func(pids []int64, data []float32) error {
		for i, pid := range pids {
			for j := 0; j < m.Dim; j++ {
				if data[i*m.Dim+j] != want[pid][j] {
					t.Fatalf("scan: paper %d differs", pid)
				}
			}
			seen++
		}
		return nil
	})
	if err != nil || seen != 50 {
		t.Fatalf("scan saw %d vectors (%v)", seen, err)
	}
	for _, tt := range texts[:20] {
		v, err := s.VectorOf(ctx, m, tt.PID)
		if err != nil {
			t.Fatal(err)
		}
		for j := range v {
			if v[j] != want[tt.PID][j] {
				t.Fatalf("VectorOf(%d) = %v, want %v", tt.PID, v, want[tt.PID])
			}
		}
	}
	if _, err := s.VectorOf(ctx, m, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("VectorOf a paper without a vector: %v", err)
	}
	if miss, _ := s.Missing(ctx, m.MID, 0); len(miss) != 0 {
		t.Errorf("%d still missing", len(miss))
	}
	// a stale hash is not stored
	if n, err := s.PutVectors(ctx, m, []Vector{{PID: texts[0].PID, Hash: "old", Vec: unit(4, 99)}}); err != nil || n != 0 {
		t.Errorf("stale vector stored: %d %v", n, err)
	}
	// wrong dimension is an error, nothing stored
	if _, err := s.PutVectors(ctx, m, []Vector{{PID: texts[0].PID, Hash: texts[0].Hash, Vec: []float32{1}}}); !errors.Is(err, ErrDimensionMism) {
		t.Errorf("wrong dimension: %v", err)
	}
	// changing one abstract drops exactly that vector (swap-remove within its chunk)
	var p Row
	for _, q := range ps {
		if q.ID == texts[3].ID {
			p = q
		}
	}
	p.Abstract, p.TextHash = "new text", "h-new"
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: []Row{p}}}); err != nil {
		t.Fatal(err)
	}
	delete(want, texts[3].PID)
	check("after a text change", 49)
	miss, _ := s.Missing(ctx, m.MID, 0)
	if len(miss) != 1 || miss[0].PID != texts[3].PID {
		t.Errorf("missing after change = %+v", miss)
	}
	counts, _ := s.VectorCounts(ctx)
	if counts["test/m"] != 49 {
		t.Errorf("vector counts %v", counts)
	}
}

func TestFindPaper(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := mkPaper("2405.12345", "Spiking Brains for Everyone", "x")
	a.ArxivID = "2405.12345"
	ps := []Row{a, mkPaper("p2", "Graph Brains", "y"), mkPaper("p3", "Unrelated", "z")}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string {
		if s == "2405.12345v3" {
			return "2405.12345"
		}
		return s
	}
	tests := []struct {
		ref    string
		wantID string
		err    any
	}{
		{"2405.12345", "2405.12345", nil},
		{"2405.12345v3", "2405.12345", nil},
		{"spiking", "2405.12345", nil},
		{"UNRELATED", "p3", nil},
		{"brains", "", &AmbiguousError{}},
		{"Spiking Brians", "", &NotFoundError{}},
	}
	for _, tt := range tests {
		p, err := s.FindPaper(ctx, tt.ref, norm)
		switch tt.err.(type) {
		case nil:
			if err != nil || p.ID != tt.wantID {
				t.Errorf("%q: %v %v, want %s", tt.ref, p, err, tt.wantID)
			}
		case *AmbiguousError:
			var ae *AmbiguousError
			if !errors.As(err, &ae) || ae.Total != 2 {
				t.Errorf("%q: %v, want ambiguous with 2 matches", tt.ref, err)
			}
		case *NotFoundError:
			var nf *NotFoundError
			if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || len(nf.Suggestions) == 0 || nf.Suggestions[0].ID != "2405.12345" {
				t.Errorf("%q: %v, want not found suggesting 2405.12345", tt.ref, err)
			}
		}
	}
}

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: []Row{mkPaper("a", "A", "x"), mkPaper("b", "B", "y")}}}); err != nil {
		t.Fatal(err)
	}
	pids, _ := s.PIDs(ctx, Filter{})
	if err := s.Rate(ctx, Like, pids); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, Dislike, pids[1:]); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, Read, pids[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInterest(ctx, "graphs"); err != nil {
		t.Fatal(err)
	}
	p, err := s.Profile(ctx)
	if err != nil || len(p.Likes) != 1 || len(p.Dislikes) != 1 || len(p.Read) != 1 || len(p.Interests) != 1 || p.Empty() {
		t.Fatalf("profile %+v %v", p, err)
	}
	if err := s.Unrate(ctx, pids); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveInterest(ctx, "graphs"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveInterest(ctx, "graphs"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	p, _ = s.Profile(ctx)
	if !p.Empty() || len(p.Read) != 0 || len(p.Dislikes) != 0 {
		t.Errorf("after unrate: %+v", p)
	}
}

func TestIngestSamePaperTwiceInOneListing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	first := mkPaper("2311.03057", "Early Title", "Early abstract.")
	if _, err := s.Ingest(ctx, []Batch{{List: "a", Papers: []Row{first}}}); err != nil {
		t.Fatal(err)
	}
	// a listing holding the paper twice: the later record wins
	twice := []Row{mkPaper("2311.03057", "Title One", "Abstract one."), mkPaper("2311.03057", "Title Two", "Abstract two.")}
	res, err := s.Ingest(ctx, []Batch{{List: "b", Papers: twice}})
	if err != nil || res.New != 0 || res.Updated != 1 || len(res.Changed) != 1 {
		t.Fatalf("first ingest of the listing: %+v %v", res, err)
	}
	// the same listing again changes nothing, re-embeds nothing
	res, err = s.Ingest(ctx, []Batch{{List: "b", Papers: twice}})
	if err != nil || res.Updated != 0 || len(res.Changed) != 0 {
		t.Fatalf("second ingest of the same listing: %+v %v", res, err)
	}
	ps, _ := s.Papers(ctx, Filter{})
	if len(ps) != 1 || ps[0].Title != "Title Two" {
		t.Errorf("stored %+v, want the later record", ps)
	}
	// a new paper twice in one listing is one new paper
	res, err = s.Ingest(ctx, []Batch{{List: "c", Papers: []Row{mkPaper("n1", "N", "x"), mkPaper("n1", "N2", "y")}}})
	if err != nil || res.New != 1 || res.Updated != 0 {
		t.Errorf("a new paper twice: %+v %v", res, err)
	}
}

func TestFindPaperFoldsEveryCase(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ps := []Row{mkPaper("u1", "Études of Ångström Physics", "x"), mkPaper("u2", "ÉTUDES Again", "y"), mkPaper("u3", "Brains", "z")}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	id := func(s string) string { return s }
	if p, err := s.FindPaper(ctx, "ångström", id); err != nil || p.ID != "u1" {
		t.Errorf("ångström: %v %v", p, err)
	}
	if p, err := s.FindPaper(ctx, "études of ångström physics", id); err != nil || p.ID != "u1" {
		t.Errorf("exact title in another case: %v %v", p, err)
	}
	var ae *AmbiguousError
	if _, err := s.FindPaper(ctx, "Études", id); !errors.As(err, &ae) || ae.Total != 2 || len(ae.Matches) != 2 {
		t.Errorf("Études matches two: %v", err)
	}
}

// TestMigrateFromSchema1 opens a database that the first schema made, with
// papers in it: the upgrade gives them their title hashes, and a record
// without an id still finds its paper by title.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		ms[0].sql,
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', '2026-11-01T00:00:00Z')`,
		`INSERT INTO papers (id, title, title_key, abstract, text_hash, added_at, updated_at) VALUES
			('2401.00001', 'Sparse Attention, Revisited', 'sparse attention revisited', 'A.', 'h1', 'x', 'x'),
			('2401.00002', 'Dense Retrieval', 'dense retrieval', 'B.', 'h2', 'x', 'x')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.DB().QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != SchemaVersion() || v < 2 {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion())
	}
	rows, err := s.DB().Query(`SELECT title_key, title_hash FROM papers`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var key string
		var h int64
		if err := rows.Scan(&key, &h); err != nil {
			t.Fatal(err)
		}
		if h != titleHash(key) {
			t.Errorf("title_hash of %q = %d, want %d", key, h, titleHash(key))
		}
		n++
	}
	rows.Close()
	if n != 2 {
		t.Fatalf("%d papers after the upgrade, want 2", n)
	}
	derived := mkPaper("title-x", "Sparse Attention, Revisited", "A.")
	derived.TitleKey, derived.DerivedID = "sparse attention revisited", true
	res, err := s.Ingest(ctx, []Batch{{List: "page", Papers: []Row{derived}}})
	if err != nil || res.New != 0 {
		t.Errorf("an id-less record of a paper stored before the upgrade: %+v, %v; want it merged", res, err)
	}
}

// The vector stamp changes with every write of a model's vectors (a new
// vector, a changed one, a refit that replaces them), not with reads or with
// another model's writes, and differs between databases.
func TestVectorStamp(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var ps []Row
	for i := 0; i < 20; i++ {
		ps = append(ps, mkPaper(fmt.Sprintf("p%d", i), fmt.Sprintf("title %d", i), "abs"))
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.EnsureModel(ctx, "test/a", "openai", 4)
	other, _ := s.EnsureModel(ctx, "test/b", "openai", 4)
	texts, _ := s.Missing(ctx, m.MID, 0)
	put := func(m *Model, from, to int, seed float32) {
		t.Helper()
		var vs []Vector
		for _, tt := range texts[from:to] {
			vs = append(vs, Vector{PID: tt.PID, Hash: tt.Hash, Vec: unit(4, float32(tt.PID)+seed)})
		}
		if _, err := s.PutVectors(ctx, m, vs); err != nil {
			t.Fatal(err)
		}
	}
	stamp := func() VectorStamp {
		t.Helper()
		st, err := s.VectorStamp(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	seen := map[VectorStamp]string{}
	step := func(what string, changed bool) {
		t.Helper()
		st := stamp()
		if _, dup := seen[st]; dup == changed {
			t.Fatalf("after %s: stamp %+v (changed: %v, want %v)", what, st, !dup, changed)
		}
		seen[st] = what
	}
	step("nothing", true)
	put(m, 0, 10, 0)
	step("ten vectors", true)
	if _, err := s.LoadVectors(ctx, m); err != nil {
		t.Fatal(err)
	}
	step("a read", false)
	put(other, 0, 10, 0)
	step("another model's vectors", false)
	put(m, 3, 4, 0.5)
	step("one changed vector", true)
	put(m, 10, 20, 0)
	step("ten more", true)
	if _, _, err := s.ReplaceFit(ctx, "test/a", "openai", 4, 20, nil, nil); err != nil {
		t.Fatal(err)
	}
	step("a refit without vectors", true)
	if s2 := openTest(t); true {
		m2, _ := s2.EnsureModel(ctx, "test/a", "openai", 4)
		st2, err := s2.VectorStamp(ctx, m2)
		if err != nil || st2.DB == stamp().DB {
			t.Fatalf("two databases, one identity %q (%v)", st2.DB, err)
		}
	}
}

// The trigram similarity of suggestions is the share of the reference's
// trigrams (of "  " + lower case + " ") found in the candidate's, as sets.
func TestTrigramSimilarity(t *testing.T) {
	sets := func(s string) map[string]bool {
		r := []rune("  " + strings.ToLower(s) + " ")
		m := map[string]bool{}
		for i := 0; i+3 <= len(r); i++ {
			m[string(r[i:i+3])] = true
		}
		return m
	}
	want := func(ref, cand string) float64 {
		q, c := sets(ref), sets(cand)
		n := 0
		for g := range q {
			if c[g] {
				n++
			}
		}
		if len(q) == 0 {
			return 0
		}
		return float64(n) / float64(len(q))
	}
	words := []string{"", "a", "ab", "Attention", "attention is all", "ATTENTION IS ALL YOU NEED", "Études", "ÉTUDES sur l'Ångström",
		"2106.09685", "2106.09865", "s0013999", "s001399", "\xff\xfe bad", "aaaa", "İstanbul", "σς Σ"}
	for _, ref := range words {
		q := newTrigramQuery(ref)
		for _, c := range words {
			if got, w := q.similarity(c), want(ref, c); got != w {
				t.Errorf("similarity(%q, %q) = %v, want %v", ref, c, got, w)
			}
		}
	}
}
