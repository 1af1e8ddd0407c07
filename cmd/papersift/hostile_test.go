package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dbDigest hashes every row of the tables an ingest writes, so that a
// failed ingest can be shown to leave the database as it was.
func dbDigest(t *testing.T, db string) string {
	t.Helper()
	h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sum := sha256.New()
	for _, q := range []string{
		`SELECT pid, id, derived_id, arxiv_id, title, title_key, abstract, authors, n_authors, org, date, comments, upvotes, url, category, links, text_hash, added_at, updated_at FROM papers ORDER BY pid`,
		`SELECT lid, name, created_at, updated_at FROM lists ORDER BY lid`,
		`SELECT lid, pid, pos FROM list_papers ORDER BY lid, pid`,
		`SELECT mid, name, dim FROM models ORDER BY mid`,
		`SELECT mid, pid, text_hash, chunk, slot FROM vec_index ORDER BY mid, pid`,
		`SELECT mid, chunk, n, pids, data FROM vec_chunks ORDER BY mid, chunk`,
	} {
		rows, err := h.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(sum, "%q\n", vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// TestHostileInput is the catalogue of hostile listings: each bad one
// fails with exit 1, names the source and the line, and leaves the
// database as it was; the odd but valid ones are stored intact.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	ingIngest(t, db, ingSeed) // something to keep
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	laughs := "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [\n <!ENTITY a \"aaaaaaaaaa\">\n" +
		" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n" +
		" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n" +
		" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n]>\n" +
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id><title>&g;</title><summary>&g;</summary></entry></feed>\n"
	bad := []struct {
		name, file string
		data       []byte
		args       []string
		msg        string // after "FILE:"
	}{
		{"empty file", "empty.txt", nil, nil, "1: the file is empty"},
		{"only white space", "blank.txt", []byte("  \n\t\n\n"), nil, "4: only white space"},
		{"invalid UTF-8", "latin1.csv", []byte("id,title,abstract\n1,Caf\xe9,An abstract.\n"), nil, "2: invalid UTF-8 at byte 23"},
		{"NUL bytes", "nul.jsonl", []byte("{\"title\": \"a\", \"abstract\": \"b\"}\n{\"title\": \"c\x00\"}\n"), nil, "2: NUL byte"},
		{"binary garbage", "garbage.bin", []byte("\x89PNG\r\n\x1a\n\x7f\x7f\x7f"), nil, "1: invalid UTF-8 at byte 0"},
		{"text garbage", "garbage.txt", []byte("\x01\x02 ELF \x7f\x7f\n%%%%"), nil, "1: cannot tell the format"},
		{"deeply nested JSON", "deep.json", []byte(strings.Repeat("[", 50000) + strings.Repeat("]", 50000)), nil, "1: invalid JSON: invalid character '[' exceeded max depth"},
		{"deeply nested JSON Lines", "deep.jsonl", []byte(strings.Repeat(`{"x":`, 50000) + "1" + strings.Repeat("}", 50000) + "\n"), nil, "1: invalid JSON"},
		{"JSON of the wrong shape", "shape.json", []byte("[{\"name\": \"not a paper\"},\n {\"name\": \"nor this\"}]\n"), nil, "1: no usable papers: every record was skipped (first: item 1 () has no title)"},
		{"one JSON object", "object.json", []byte("{\n  \"papers\": [{\"title\": \"t\", \"abstract\": \"a\"}]\n}\n"), nil, "1: one JSON object, not a listing"},
		{"truncated JSON", "cut.json", []byte("[{\"paper\": {\"id\": \"2405.1\", \"title\": \"t\",\n\"summary\": \"s\"}},\n{\"paper\": {\"id\""), nil, "3: the JSON ends early"},
		{"XML bomb", "bomb.xml", []byte(laughs), nil, "2: a DTD or entity declaration"},
		{"XML that is not Atom", "other.xml", []byte("<?xml version=\"1.0\"?>\n<catalog><book/></catalog>\n"), []string{"--format", "arxiv"}, "2: XML whose root is <catalog>"},
		{"CSV with ragged rows", "ragged.csv", []byte("id,title,abstract\n1,A,B\n2,C\n3,D,E\n"), nil, "3: a row with another number of fields"},
		{"CSV with a missing column", "nocol.csv", []byte("id,title,summary_text\n1,A,B\n"), []string{"--format", "csv"}, "1: the CSV header has no abstract column"},
		{"HTML page", "page.html", []byte("<!DOCTYPE html>\n<html><body>Daily Papers</body></html>\n"), nil, "1: an HTML page, not a listing"},
		{"200 MB line", "long.jsonl", nil, nil, "1: a line longer than 10 MB"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if tt.file == "long.jsonl" {
				if testing.Short() {
					t.Skip("a 200 MB file: not with -short")
				}
				data = []byte(`{"title": "t", "abstract": "` + strings.Repeat("a", 200<<20) + `"}` + "\n")
			}
			path := write(tt.file, data)
			before := dbDigest(t, db)
			// a good source first, but for a named format (that applies to all)
			args := []string{"ingest", "--no-embed", ingFixture("papers.json")}
			if tt.args != nil {
				args = append(args[:2], tt.args...)
			}
			_, errOut, code := ingRun(t, db, nil, append(args, path)...)
			if code != 1 || !strings.Contains(errOut, path+":"+tt.msg) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, path+":"+tt.msg)
			}
			if dbDigest(t, db) != before {
				t.Error("the database changed")
			}
		})
	}

	// Odd but valid: stored as they are.
	t.Run("right-to-left title and emoji", func(t *testing.T) {
		title := "تحليل الأوراق العلمية 📚 מאמרים 🧪👩🏽‍🔬"
		path := write("rtl.jsonl", []byte(fmt.Sprintf("{\"id\": \"rtl-1\", \"title\": %q, \"abstract\": \"نص الملخص مع رموز 🚀.\"}\n", title)))
		ingIngest(t, db, "--no-embed", "--list", "rtl", path)
		ps := ingPapers(t, db, "--list", "rtl")
		if len(ps) != 1 || ps[0].Title != title || ps[0].Abstract != "نص الملخص مع رموز 🚀." {
			t.Errorf("got %+v", ps)
		}
	})
	t.Run("abstract of 1 MB", func(t *testing.T) {
		abs := strings.Repeat("Long abstracts happen. ", 1<<20/23+1)
		abs = strings.TrimSpace(abs)
		path := write("long-abstract.csv", []byte("id,title,abstract\nbig-1,A Very Long Abstract,\""+abs+"\"\n"))
		ingIngest(t, db, "--no-embed", "--list", "big", path)
		ps := ingPapers(t, db, "--list", "big")
		if len(ps) != 1 || ps[0].Abstract != abs || len(abs) < 1<<20 {
			t.Errorf("abstract of %d bytes stored as %d", len(abs), len(ps[0].Abstract))
		}
	})
	t.Run("100,000 authors", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`[{"id": "many-1", "title": "A Large Collaboration", "abstract": "Everyone signed.", "authors": [`)
		for i := 0; i < 100_000; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"Author %d"`, i)
		}
		b.WriteString("]}]\n")
		path := write("many.json", []byte(b.String()))
		ingIngest(t, db, "--no-embed", "--list", "many", path)
		ps := ingPapers(t, db, "--list", "many")
		if len(ps) != 1 || len(ps[0].Authors) != 100_000 || ps[0].NAuthors == nil || *ps[0].NAuthors != 100_000 || ps[0].Authors[99_999] != "Author 99999" {
			t.Errorf("got %d authors", len(ps[0].Authors))
		}
	})
	t.Run("ids that collide after normalisation", func(t *testing.T) {
		path := write("collide.jsonl", []byte(
			"{\"id\": \"2405.12345v1\", \"title\": \"Versions Are One Paper\", \"abstract\": \"First version.\"}\n"+
				"{\"id\": \"arXiv:2405.12345v2\", \"title\": \"Versions Are One Paper\", \"abstract\": \"Second version.\"}\n"+
				"{\"id\": \" 2405.12345 \", \"title\": \"A Different Title\", \"abstract\": \"Third record.\"}\n"))
		out, errOut, code := ingRun(t, db, nil, "ingest", "--no-embed", "--list", "collide", "--format", "json", path)
		if code != 0 || !strings.Contains(out, `"new":1,`) || !strings.Contains(errOut, path+`:3: id "2405.12345" again (first at line 1) with another title`) {
			t.Errorf("exit %d\n%s\n%s", code, out, errOut)
		}
		ps := ingPapers(t, db, "--list", "collide")
		if len(ps) != 1 || ps[0].ID != "2405.12345" || ps[0].Abstract != "Third record." {
			t.Errorf("got %+v", ps)
		}
	})
}
