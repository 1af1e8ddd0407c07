package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// withChunk sets chunkBytes for a test.
func withChunk(t testing.TB, n int) {
	t.Helper()
	old := chunkBytes
	chunkBytes = n
	t.Cleanup(func() { chunkBytes = old })
}

// streamInputs are sources of every format, good and bad.
func streamInputs(t *testing.T) map[string][]byte {
	t.Helper()
	in := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		in[filepath.Base(f)] = readFixture(t, filepath.Base(f))
	}
	in["synth.jsonl"] = synthJSONL(3000)
	in["bom.csv"] = append([]byte("\xef\xbb\xbf"), readFixture(t, "sheet.csv")...)
	var csv bytes.Buffer
	csv.WriteString("id,title,abstract,authors,date,category\r\n")
	for i := range 2500 {
		fmt.Fprintf(&csv, "%d,\"Title %d, with a comma\",\"An abstract\nover two lines, ünïcode %d\",A; B,2024-01-%02d,cs.%c\r\n", i, i, i, 1+i%28, 'A'+rune(i%5))
	}
	in["synth.csv"] = csv.Bytes()
	for name, s := range map[string]string{
		"empty": "", "spaces": " \n\t\n", "bom only": "\xef\xbb\xbf", "utf16": "\xff\xfet\x00i\x00",
		"nul late":       strings.Repeat("{\"title\": \"t\", \"abstract\": \"a\"}\n", 50) + "{\"title\": \"t\x00\"}\n",
		"utf8 late":      strings.Repeat("{\"title\": \"t\", \"abstract\": \"ü\"}\n", 50) + "{\"title\": \"\xff\"}\n",
		"csv nul late":   "title,abstract\n" + strings.Repeat("Tü,A\n", 100) + "T,\x00\n",
		"csv utf8 late":  "title,abstract\n" + strings.Repeat("Tü,A\n", 100) + "T,\xe2\x82\n",
		"csv cut quote":  "title,abstract\n" + strings.Repeat("T,A\n", 100) + "T,\"A\n",
		"json error mid": strings.Repeat("{\"title\": \"t\", \"abstract\": \"a\"}\n", 80) + "{\"title\": \n" + strings.Repeat("{\"title\": \"t\", \"abstract\": \"a\"}\n", 80),
		"one object":     "{\n  \"papers\": []\n}\n",
		"not objects":    "{\"title\": \"T\", \"abstract\": \"A\"}\n[1]\n",
		"all skipped":    "{\"id\": \"a\", \"title\": \"T\"}\n{\"id\": \"b\", \"abstract\": \"A\"}\n",
		"collisions":     "{\"id\": \"2405.12345v1\", \"title\": \"Same\", \"abstract\": \"v1\"}\n{\"id\": \" 2405.12345 \", \"title\": \"Other\", \"abstract\": \"v3\"}\n",
		"no eol":         "{\"title\": \"T\", \"abstract\": \"A\"}\r\n\r\n{\"title\": \"U\", \"abstract\": \"B\"}",
		"binary":         "\x7fELF\x02\x01\x01 garbage",
		"hint csv":       "id;name\n1;x\n",
	} {
		in[name] = []byte(s)
	}
	return in
}

type parsed struct {
	l   *Listing
	err string
}

func parseAll(data []byte, opt Options, r io.Reader) parsed {
	var l *Listing
	var err error
	var emitted []Record
	opt.Emit = func(ps []Record) error { emitted = append(emitted, ps...); return nil }
	if r == nil {
		l, err = ParseBytes(data, opt)
	} else {
		l, err = ParseReader(context.Background(), r, opt)
	}
	if err != nil {
		return parsed{err: err.Error()}
	}
	l.Papers, l.Emitted = emitted, 0
	return parsed{l: l}
}

// TestParseReaderSame: ParseReader gives what ParseBytes gives, for any
// chunk size, way of reading and number of cores; and a listing read
// (not an error) is the same for every chunk size.
func TestParseReaderSame(t *testing.T) {
	inputs := streamInputs(t)
	want := map[string]parsed{}
	for _, procs := range []int{1, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, cb := range []int{64, 1000, 4 << 20} {
			withChunk(t, cb)
			for name, data := range inputs {
				opt := Options{Source: name}
				ref := parseAll(data, opt, nil)
				readers := map[string]io.Reader{"whole": bytes.NewReader(data), "half": iotest.HalfReader(bytes.NewReader(data))}
				if len(data) < 100_000 {
					readers["bytewise"] = iotest.OneByteReader(bytes.NewReader(data))
				}
				for how, r := range readers {
					if got := parseAll(data, opt, r); !reflect.DeepEqual(got, ref) {
						t.Errorf("%s, chunks of %d, %d cores, read %s: ParseReader gives\n%+v\nParseBytes\n%+v", name, cb, procs, how, brief(got), brief(ref))
					}
				}
				if ref.l == nil {
					continue
				}
				if w, ok := want[name]; ok && !reflect.DeepEqual(w, ref) {
					t.Errorf("%s: chunks of %d give another listing", name, cb)
				}
				want[name] = ref
			}
		}
		runtime.GOMAXPROCS(old)
	}
	for _, name := range []string{"arxiv-snapshot.jsonl", "papers.jsonl", "sheet.csv", "synth.csv", "synth.jsonl", "hf-2026.json", "feed.atom.xml", "no eol"} {
		if want[name].l == nil {
			t.Errorf("%s was not read", name)
		}
	}
}

func brief(p parsed) string {
	if p.l == nil {
		return "error " + p.err
	}
	return fmt.Sprintf("%s: %d papers, skipped %v, warnings %v, filtered %d", p.l.Format, len(p.l.Papers), p.l.Skipped, p.l.Warnings, p.l.Filtered)
}

// lineSource is an endless (or n lines long) JSON Lines source made as it
// is read, followed by tail.
type lineSource struct {
	n, i int
	buf  []byte
	tail io.Reader
	read int64
}

func (s *lineSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.n >= 0 && s.i >= s.n {
			if s.tail == nil {
				return 0, io.EOF
			}
			n, err := s.tail.Read(p)
			s.read += int64(n)
			return n, err
		}
		s.buf = fmt.Appendf(s.buf[:0], `{"id": "s%08d", "title": "Paper %d", "abstract": "%s", "categories": ["cs.LG"]}`+"\n", s.i, s.i, strings.Repeat("words of an abstract ", 60))
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	s.read += int64(n)
	return n, nil
}

// TestStreamMemory: a source many times the size of the memory parsing
// it takes is read with what is live bounded by a few chunks (and the
// ids, for the collision check).
func TestStreamMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 MB")
	}
	withChunk(t, 256<<10)
	src := &lineSource{n: 80_000}
	var peak uint64
	n, calls := 0, 0
	var ms runtime.MemStats
	l, err := ParseReader(context.Background(), src, Options{Source: "big.jsonl", Emit: func(ps []Record) error {
		n += len(ps)
		if calls++; calls%25 == 0 {
			runtime.GC() // what is live: the chunks in flight and what the parse keeps
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	}})
	if err != nil || n != 80_000 || l.Emitted != n {
		t.Fatalf("%d papers, %v", n, err)
	}
	if peak > 24<<20 || src.read < 100<<20 {
		t.Errorf("live heap peaked at %d MB for a source of %d MB", peak>>20, src.read>>20)
	}
}

// TestStreamLongLine: a line longer than MaxRecordBytes fails as soon as
// it is, without reading the rest of it.
func TestStreamLongLine(t *testing.T) {
	src := &lineSource{n: 3, tail: endless('a')}
	_, err := ParseReader(context.Background(), src, Options{Source: "long.jsonl"})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 4 || !strings.Contains(pe.Msg, "a line longer than 10 MB") {
		t.Fatalf("got %v", err)
	}
	if src.read > MaxRecordBytes+3*int64(chunkBytes) {
		t.Errorf("read %d bytes", src.read)
	}
	_, err = ParseReader(context.Background(), endless(' '), Options{Source: "spaces", MaxWhole: 4 << 20})
	if err == nil || !strings.Contains(err.Error(), "spaces: larger than 4 MB") {
		t.Errorf("endless white space: %v", err)
	}
}

type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestStreamProgress: Progress counts up to the size of the source, in
// steps of about a chunk, for streamed and whole formats.
func TestStreamProgress(t *testing.T) {
	withChunk(t, 64<<10)
	for _, data := range [][]byte{synthJSONL(2000), readFixture(t, "hf-2026.json"), streamInputs(t)["synth.csv"]} {
		var got []int64
		_, err := ParseReader(context.Background(), bytes.NewReader(data), Options{Size: int64(len(data)), Progress: func(read, total int64) {
			if total != int64(len(data)) {
				t.Errorf("total %d, want %d", total, len(data))
			}
			got = append(got, read)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[len(got)-1] != int64(len(data)) {
			t.Fatalf("progress %v, want it to end at %d", got, len(data))
		}
		for i := 1; i < len(got); i++ {
			if got[i] < got[i-1] {
				t.Fatalf("progress goes back: %v", got)
			}
		}
		if len(data) > 1<<20 && len(got) < 5 {
			t.Errorf("progress told %d times for %d bytes", len(got), len(data))
		}
	}
}

// TestStreamEmit: papers come in line order; an error from Emit or the
// end of the context stops the parse, and is returned.
func TestStreamEmit(t *testing.T) {
	withChunk(t, 32<<10)
	data := synthJSONL(5000)
	last := 0
	l, err := ParseReader(context.Background(), bytes.NewReader(data), Options{Emit: func(ps []Record) error {
		for _, p := range ps {
			if p.Line != last+1 {
				t.Fatalf("line %d after %d", p.Line, last)
			}
			last = p.Line
		}
		return nil
	}})
	if err != nil || last != 5000 || l.Emitted != 5000 || len(l.Papers) != 0 {
		t.Fatalf("last line %d, %v", last, err)
	}
	stop := errors.New("stop")
	_, err = ParseReader(context.Background(), &lineSource{n: -1}, Options{Emit: func([]Record) error { return stop }})
	if !errors.Is(err, stop) {
		t.Errorf("Emit's error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = ParseReader(ctx, &lineSource{n: -1}, Options{Emit: func([]Record) error { cancel(); return nil }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = ParseReader(ctx, bytes.NewReader(streamInputs(t)["synth.csv"]), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled CSV: got %v", err)
	}
}

// TestStreamReadError: a failed read names the source and wraps the cause.
func TestStreamReadError(t *testing.T) {
	withChunk(t, 4096)
	boom := errors.New("disk on fire")
	for _, data := range [][]byte{synthJSONL(100), streamInputs(t)["synth.csv"], readFixture(t, "hf-2026.json")} {
		r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(boom))
		_, err := ParseReader(context.Background(), r, Options{Source: "f"})
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, boom) || pe.Source != "f" || !strings.Contains(pe.Msg, "cannot read") {
			t.Errorf("got %v", err)
		}
	}
}

// TestMaxWhole: a format read whole is read up to MaxWhole.
func TestMaxWhole(t *testing.T) {
	data := readFixture(t, "hf-2026.json")
	_, err := ParseReader(context.Background(), bytes.NewReader(data), Options{Source: "hf.json", MaxWhole: 1 << 10})
	if err == nil || !strings.Contains(err.Error(), "hf.json: larger than 1 KB") {
		t.Errorf("got %v", err)
	}
	if _, err := ParseReader(context.Background(), bytes.NewReader(data), Options{MaxWhole: int64(len(data))}); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	// line formats are not capped
	if _, err := ParseReader(context.Background(), bytes.NewReader(synthJSONL(100)), Options{MaxWhole: 1 << 10}); err != nil {
		t.Errorf("JSON Lines: %v", err)
	}
}

// TestFilters: Categories and Since on JSON Lines, CSV and a format read
// whole.
func TestFilters(t *testing.T) {
	jsonl := "{\"title\": \"A\", \"abstract\": \"a\", \"categories\": \"cs.CL stat.ML\", \"date\": \"2024-03-01\"}\n" +
		"{\"title\": \"B\", \"abstract\": \"b\", \"categories\": [\"math.AG\"], \"date\": \"2023-03-01\"}\n" +
		"{\"title\": \"C\", \"abstract\": \"c\", \"category\": \"cs.LG\"}\n"
	csv := "title,abstract,category,date\nA,a,cs.CL,2024-03-01\nB,b,math.AG,2023-03-01\nC,c,cs.LG,\n"
	tests := []struct {
		data, since string
		cats        []string
		want        []string
	}{
		{jsonl, "", []string{"stat.*"}, []string{"A"}},
		{jsonl, "", []string{"cs"}, []string{"A", "C"}},
		{jsonl, "2024-01-01", nil, []string{"A"}},
		{csv, "", []string{"cs.*"}, []string{"A", "C"}},
		{csv, "2023-03-01", []string{"math.ag"}, []string{"B"}},
	}
	for _, tt := range tests {
		l, err := ParseBytes([]byte(tt.data), Options{Categories: tt.cats, Since: tt.since})
		if err != nil {
			t.Errorf("%v %s: %v", tt.cats, tt.since, err)
			continue
		}
		var got []string
		for _, p := range l.Papers {
			got = append(got, p.Title)
		}
		if !reflect.DeepEqual(got, tt.want) || l.Filtered != 3-len(tt.want) {
			t.Errorf("%v %s: kept %v, filtered %d; want %v", tt.cats, tt.since, got, l.Filtered, tt.want)
		}
	}
	l, err := ParseBytes(readFixture(t, "feed.atom.xml"), Options{Since: "2100-01-01", Categories: []string{"cs.*"}})
	if err == nil || !strings.Contains(err.Error(), "no paper matches") {
		t.Errorf("Atom, all left out: %+v, %v", l, err)
	}
}

// TestFetchStream: Parse reads an answer as it comes; the cap counts the
// bytes after decompression, so a gzip bomb stops at the cap whether the
// HTTP client or Open decompresses it.
func TestFetchStream(t *testing.T) {
	body := synthJSONL(2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/papers.jsonl":
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body)
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			line := []byte(`{"title": "t", "abstract": "` + strings.Repeat("a", 1000) + "\"}\n")
			for range 64 << 10 { // 64 MB once decompressed
				if _, err := zw.Write(line); err != nil {
					return
				}
			}
			zw.Close()
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	var total int64
	l, err := (&Fetcher{}).Parse(ctx, srv.URL+"/papers.jsonl", Options{Progress: func(_, t int64) { total = t }})
	if err != nil || len(l.Papers) != 2000 || l.Source != srv.URL+"/papers.jsonl" || total != int64(len(body)) {
		t.Fatalf("got %d papers, total %d, %v", len(l.Papers), total, err)
	}
	for _, client := range []*http.Client{srv.Client(), {Transport: &http.Transport{DisableCompression: true}}} {
		n := 0
		_, err = (&Fetcher{Client: client, MaxBytes: 4 << 20}).Parse(ctx, srv.URL+"/bomb", Options{Emit: func(ps []Record) error { n += len(ps); return nil }})
		var fe *FetchError
		if !errors.Is(err, ErrTooLarge) || !errors.As(err, &fe) || !strings.Contains(err.Error(), "more than the 4 MB cap") {
			t.Errorf("bomb: %v", err)
		}
		if n*1030 > 4<<20 {
			t.Errorf("bomb: %d papers parsed past the cap", n)
		}
	}
	f, err := (&Fetcher{MaxBytes: 4 << 20}).Fetch(ctx, srv.URL+"/bomb")
	if !errors.Is(err, ErrTooLarge) || f != nil {
		t.Errorf("Fetch of the bomb: %v", err)
	}
	f, err = (&Fetcher{}).Fetch(ctx, srv.URL+"/papers.jsonl")
	if err != nil || !bytes.Equal(f.Data, body) {
		t.Errorf("Fetch: %v", err)
	}
}

// TestParseReaderFile: a file streamed from disk.
func TestParseReaderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.jsonl")
	if err := os.WriteFile(path, synthJSONL(500), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ParseReader(context.Background(), f, Options{Source: path})
	if err != nil || len(l.Papers) != 500 || l.Format != "jsonl" {
		t.Fatalf("%v", err)
	}
}

// TestSniff: Sniff tells the format and whether ParseReader streams it,
// and gives the whole source back.
func TestSniff(t *testing.T) {
	withChunk(t, 4096)
	inputs := streamInputs(t)
	inputs["big.jsonl"] = synthJSONL(200)
	inputs["bom.jsonl"] = append([]byte("\xef\xbb\xbf"), synthJSONL(100)...)
	tests := []struct {
		name, format string
		streamed     bool
	}{
		{"arxiv-snapshot.jsonl", "arxiv-snapshot", true}, {"papers.jsonl", "jsonl", true}, {"big.jsonl", "jsonl", true},
		{"bom.jsonl", "jsonl", true}, {"sheet.csv", "csv", true}, {"synth.csv", "csv", true}, {"x.csv", "csv", true},
		// read whole: their format is told once all of it is read, but for a source read to its end
		{"papers.json", "", false}, {"hf-2026.json", "", false}, {"feed.atom.xml", "", false}, {"tiny.json", "jsonl", false},
	}
	inputs["tiny.json"] = []byte(`[{"title": "T", "abstract": "A"}]`)
	inputs["x.csv"] = inputs["hint csv"] // no title column: CSV by its name
	for _, tt := range tests {
		data := inputs[tt.name]
		opt := Options{Source: tt.name}
		format, streamed, src, err := Sniff(iotest.HalfReader(bytes.NewReader(data)), opt)
		if err != nil || format != tt.format || streamed != tt.streamed {
			t.Errorf("%s: Sniff = %q, %v, %v; want %q, %v", tt.name, format, streamed, err, tt.format, tt.streamed)
			continue
		}
		if got, want := parseAll(data, opt, src), parseAll(data, opt, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: what Sniff gives back parses as %s, not %s", tt.name, brief(got), brief(want))
		}
	}
	// a JSON array longer than what Sniff reads: only all of it tells hf-json from JSON Lines
	long := append(bytes.Repeat([]byte("\n"), 10), readFixture(t, "hf-2026.json")...)
	if format, streamed, _, err := Sniff(&lineSource{n: 0, tail: bytes.NewReader(long)}, Options{}); format != "" || streamed || err != nil {
		t.Errorf("hf-json: %q %v %v", format, streamed, err)
	}
}

// A panic in a chunk's parser (another goroutine than the caller's) fails
// the parse with an InternalError naming the lines, instead of ending the
// process.
func TestChunkPanicIsAnError(t *testing.T) {
	data := []byte("{\"a\":1}\n{\"b\":2}\n")
	st := &stream{done: make(chan struct{}), cause: func() error { return nil }, src: "x.jsonl", head: data, data: data, total: int64(len(data))}
	_, err := st.parseLines("jsonl", func(raw []byte, line int, c *chunk, res *chunkResult) error {
		if line == 2 {
			var m map[string]int
			m["boom"]++ // a nil map: a runtime panic
		}
		return nil
	})
	var ie *InternalError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *InternalError", err)
	}
	if ie.Line != 1 || !strings.Contains(err.Error(), "x.jsonl") || !strings.Contains(err.Error(), "a bug in papersift") || len(ie.Stack) == 0 {
		t.Fatalf("%v (line %d, %d bytes of stack)", err, ie.Line, len(ie.Stack))
	}
}

// recordsAfter is a JSON Lines source of valid records after a head, counting
// what it gives (it ends after limit bytes).
type recordsAfter struct {
	head  []byte
	n     atomic.Int64 // read by the test while a Read may still run
	limit int64
}

func (e *recordsAfter) Read(p []byte) (int, error) {
	if len(e.head) > 0 {
		k := copy(p, e.head)
		e.head = e.head[k:]
		e.n.Add(int64(k))
		return k, nil
	}
	n := e.n.Load()
	if n >= e.limit {
		return 0, io.EOF
	}
	line := fmt.Sprintf("{\"id\":\"e%d\",\"title\":\"A title %d\",\"abstract\":\"An abstract of some words.\"}\n", n, n)
	k := 0
	for k+len(line) <= len(p) {
		k += copy(p[k:], line)
	}
	if k == 0 {
		k = copy(p, "\n")
	}
	e.n.Add(int64(k))
	return k, nil
}

// With StopAtSkip, a streamed source stops at its first record that would
// be skipped (what --strict asks), without reading the rest.
func TestStopAtSkip(t *testing.T) {
	before := runtime.NumGoroutine()
	defer func() {
		// the reading goroutine and the chunks' parsers stop soon after
		// the parse returns: wait for them, so that they do not count in
		// the allocations of the tests after this one
		for i := 0; i < 500 && runtime.NumGoroutine() > before; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	src := &recordsAfter{head: []byte("{\"id\":\"1\",\"title\":\"T\",\"abstract\":\"A\"}\n{\"id\":\"2\",\"abstract\":\"no title\"}\n"), limit: 2 << 30}
	// and a skip before a bad byte in the same chunk is what is reported,
	// whatever the chunk size
	for _, size := range []int{1, 4 << 20} {
		func() {
			defer func(old int) { chunkBytes = old }(chunkBytes)
			chunkBytes = size
			data := []byte("{\"id\":\"1\",\"title\":\"T\",\"abstract\":\"A\"}\n{\"id\":\"2\",\"abstract\":\"no title\"}\n{\"id\":\"3\",\"title\":\"x\x00\",\"abstract\":\"A\"}\n")
			for _, format := range []string{"jsonl"} {
				_, err := ParseBytes(data, Options{Source: "s.jsonl", Format: format, StopAtSkip: true})
				var se *SkipError
				if !errors.As(err, &se) || se.Skip.Line != 2 {
					t.Errorf("chunks of %d bytes: %v, want the skip of line 2", size, err)
				}
			}
			csv := []byte("id,title,abstract\n1,T,A\n2,,no title\n3,\"x\x00\",A\n")
			_, err := ParseBytes(csv, Options{Source: "s.csv", Format: "csv", StopAtSkip: true})
			var se *SkipError
			if !errors.As(err, &se) || se.Skip.Line != 3 {
				t.Errorf("CSV, chunks of %d bytes: %v, want the skip of line 3", size, err)
			}
		}()
	}
	_, err := ParseReader(context.Background(), src, Options{Source: "big.jsonl", Format: "jsonl", StopAtSkip: true,
		Emit: func([]Record) error { return nil }})
	var se *SkipError
	if !errors.As(err, &se) || se.Skip.Line != 2 || se.Source != "big.jsonl" {
		t.Fatalf("err = %v, want a SkipError at big.jsonl line 2", err)
	}
	if n := src.n.Load(); n > 256<<20 {
		t.Fatalf("read %d MB of the source before stopping", n>>20)
	}
}
