package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock whose sleeps only advance it.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// answer is what the fake services answer to one request.
type answer struct {
	status int
	body   string
	header map[string]string
}

// services stands in for the Daily Papers API, arXiv's feed and the arXiv
// API, answering by the day, the categories and the ids asked.
type services struct {
	srv   *httptest.Server
	mu    sync.Mutex
	asked []string // path and query of each request, in order
	uas   []string
	hf    map[string]answer // by ?date=
	feeds map[string]answer // by the path after /rss/
	api   map[string]answer // by ?id_list=
}

func newServices(t *testing.T) *services {
	t.Helper()
	s := &services{hf: map[string]answer{}, feeds: map[string]answer{}, api: map[string]answer{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.asked = append(s.asked, r.URL.RequestURI())
		s.uas = append(s.uas, r.Header.Get("User-Agent"))
		var a answer
		var ok bool
		switch {
		case r.URL.Path == "/api/daily_papers":
			a, ok = s.hf[r.URL.Query().Get("date")]
		case strings.HasPrefix(r.URL.Path, "/rss/"):
			a, ok = s.feeds[strings.TrimPrefix(r.URL.Path, "/rss/")]
		case r.URL.Path == "/api/query":
			a, ok = s.api[r.URL.Query().Get("id_list")]
		}
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		w.Write([]byte(a.body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *services) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

// sources is a Sources pointed at the fake services, with a fake clock at
// now.
func (s *services) sources(now time.Time) (*Sources, *fakeClock) {
	c := &fakeClock{t: now}
	return &Sources{HFBase: s.srv.URL, ArxivFeedBase: s.srv.URL, ArxivAPIBase: s.srv.URL + "/",
		Client: s.srv.Client(), Now: c.Now, Sleep: c.Sleep}, c
}

// late on Sunday 23 August 2026 in California: already Monday in UTC
var sundayEvening = time.Date(2026, 8, 23, 23, 30, 0, 0, time.FixedZone("PDT", -7*3600))

func TestParseName(t *testing.T) {
	now := time.Date(2026, 8, 21, 23, 30, 0, 0, time.FixedZone("UTC-8", -8*3600)) // 2026-08-22 07:30 UTC
	tests := []struct {
		name string
		want named
		err  string
	}{
		{name: "hf:today", want: named{kind: "hf", day: "2026-08-22"}},
		{name: "HF:Yesterday", want: named{kind: "hf", day: "2026-08-21"}},
		{name: "hf:2026-08-21", want: named{kind: "hf", day: "2026-08-21"}},
		{name: "hf: 2024-02-29 ", want: named{kind: "hf", day: "2024-02-29"}},
		{name: "hf:2026-08-23", err: "2026-08-23 is still to come (today is 2026-08-22 in UTC)"},
		{name: "hf:2026-02-30", err: `"2026-02-30" is not a day: hf:YYYY-MM-DD`},
		{name: "hf:2026-8-1", err: "is not a day"},
		{name: "hf:tomorrowish", err: `"tomorrowish" is not a day`},
		{name: "hf:", err: "which day? hf:YYYY-MM-DD, hf:today or hf:yesterday"},
		{name: "arxiv:cs.CL", want: named{kind: "arxiv", cats: []string{"cs.CL"}}},
		{name: "arxiv:cs.CL,cs.LG, cs.CL,", want: named{kind: "arxiv", cats: []string{"cs.CL", "cs.LG"}}},
		{name: "arxiv:CS.CL+hep-th+cond-mat.str-el+astro-ph.GA", want: named{kind: "arxiv", cats: []string{"cs.CL", "hep-th", "cond-mat.str-el", "astro-ph.GA"}}},
		{name: "arxiv:", err: "which categories? arxiv:CAT or arxiv:CAT,CAT..."},
		{name: "arxiv:,", err: "which categories?"},
		{name: "arxiv:cs CL", err: `"cs cl" is not an arXiv category`},
		{name: "arxiv:cs.CL/../x", err: "is not an arXiv category"},
		{name: "arxiv:" + manyCategories(60), err: "60 categories, more than 50"},
		{name: "arxiv:" + manyCategories(50), want: named{kind: "arxiv", cats: strings.Split(manyCategories(50), ",")}},
		{name: "foo:bar", err: `unknown source "foo": named sources are hf:YYYY-MM-DD, hf:today or hf:yesterday`},
		{name: "today", err: "not a named source"},
	}
	for _, tt := range tests {
		got, err := parseName(tt.name, now)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadSource) {
				t.Errorf("%q: got %+v, %v; want an ErrBadSource saying %q", tt.name, got, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	// the names in errors are the name given
	_, err := parseName("foo:bar", now)
	if !strings.HasPrefix(err.Error(), "foo:bar: unknown source") || !strings.Contains(err.Error(), "arxiv:CAT[,CAT...]") {
		t.Errorf("error %q", err)
	}
}

// manyCategories is n distinct categories: "aa,ab,...".
func manyCategories(n int) string {
	var cs []string
	for i := 0; i < n; i++ {
		cs = append(cs, string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	return strings.Join(cs, ",")
}

func TestIsNamed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes:1.json")
	if err := os.WriteFile(file, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		arg  string
		want bool
	}{
		{"hf:today", true}, {"HF:2026-08-21", true}, {"arxiv:cs.CL,cs.LG", true}, {"arxiv:", true},
		{"foo:bar", true}, {"hf:x/../y", true},
		{"https://huggingface.co/api/daily_papers?date=2026-08-21", false}, {"http://x", false}, {"ftp://x/y", false},
		{"-", false}, {"papers.jsonl", false}, {"./hf:today", false}, {"/tmp/x.json", false}, {`C:\papers\x.json`, false}, {"c:x", false},
		{file, false}, {"", false},
	}
	for _, tt := range tests {
		if got := IsNamed(tt.arg); got != tt.want {
			t.Errorf("IsNamed(%q) = %v, want %v", tt.arg, got, tt.want)
		}
	}
	// a file whose name looks like a name, in the working directory
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	if IsNamed("notes:1.json") {
		t.Error("an existing file notes:1.json is taken for a name")
	}
}

// TestResolveHF: Daily Papers by day, days in UTC, and every way it fails.
func TestResolveHF(t *testing.T) {
	fx := newServices(t)
	fx.hf["2026-08-21"] = answer{body: string(readFixture(t, "hf-2026.json")), header: map[string]string{"Content-Type": "application/json"}}
	fx.hf["2026-08-24"] = answer{body: "[]"}      // a Monday: today in UTC, nothing yet
	fx.hf["2026-08-23"] = answer{body: "[]\n"}    // a Sunday
	fx.hf["2026-08-22"] = answer{body: " [ ] \n"} // a Saturday
	fx.hf["2026-08-20"] = answer{status: 500, body: "oops"}
	fx.hf["2026-08-19"] = answer{status: 429, body: `{"error":"Too many requests"}`, header: map[string]string{"Retry-After": "60"}}
	fx.hf["2026-08-18"] = answer{status: 400, body: `{"error":"Invalid date"}`}
	fx.hf["2026-08-17"] = answer{body: `{"error":"Something \u001b[31mred"}`}
	fx.hf["2026-08-16"] = answer{body: `[{"paper": {"id": "2608.00001", "title": "T"}}]`} // no usable paper
	fx.hf["2026-08-15"] = answer{body: `<!doctype html><html></html>`}
	fx.hf["2026-08-14"] = answer{body: "  "}
	// 2026-08-13: no answer there, a 404
	srcs, _ := fx.sources(sundayEvening)
	srcs.UserAgent = "papersift-test (+mailto:reader@example.org)"

	l, err := srcs.Resolve(context.Background(), "hf:2026-08-21")
	if err != nil {
		t.Fatal(err)
	}
	if l.Source != "hf:2026-08-21" || l.Format != "hf-json" || l.Date != "2026-08-21" || len(l.Papers) != 2 || l.Empty || l.Note != "" ||
		!reflect.DeepEqual(l.URLs, []string{fx.srv.URL + "/api/daily_papers?date=2026-08-21"}) {
		t.Errorf("got source %q format %q day %q, %d papers, empty %v %q, urls %v", l.Source, l.Format, l.Date, len(l.Papers), l.Empty, l.Note, l.URLs)
	}
	if fx.uas[0] != srcs.UserAgent {
		t.Errorf("user agent %q", fx.uas[0])
	}

	tests := []struct {
		name, asked, note string
		err               string
		status            int
		bad               bool
	}{
		{name: "hf:today", asked: "2026-08-24", note: "no papers on 2026-08-24 so far (today in UTC: the day's list fills as the day goes)"},
		{name: "hf:yesterday", asked: "2026-08-23", note: "no papers on 2026-08-23 (a Sunday)"},
		{name: "hf:2026-08-22", asked: "2026-08-22", note: "no papers on 2026-08-22 (a Saturday)"},
		{name: "hf:2026-08-20", asked: "2026-08-20", status: 500, err: "Hugging Face Daily Papers (URL): the server answered 500 Internal Server Error: the service is failing; try again later"},
		{name: "hf:2026-08-19", asked: "2026-08-19", status: 429, err: `the server answered 429 Too Many Requests (retry after 60): "Too many requests": the service asks for fewer requests; try again later`},
		{name: "hf:2026-08-18", asked: "2026-08-18", status: 400, err: `400 Bad Request: "Invalid date": the service refused the request`},
		{name: "hf:2026-08-17", asked: "2026-08-17", err: "(URL) answered with an error: \"Something \\x1b[31mred\""},
		{name: "hf:2026-08-16", asked: "2026-08-16", err: "hf:2026-08-16:1: no usable papers: every record was skipped (first: item 1 (2608.00001) has no paper.summary)"},
		{name: "hf:2026-08-15", asked: "2026-08-15", err: "hf:2026-08-15:1: invalid JSON"},
		{name: "hf:2026-08-14", asked: "2026-08-14", err: "(URL) answered with nothing"},
		{name: "hf:2026-08-13", asked: "2026-08-13", status: 404, err: "404 Not Found: is the address of Hugging Face right?"},
		{name: "hf:2026-08-25", err: "hf:2026-08-25: 2026-08-25 is still to come (today is 2026-08-24 in UTC)", bad: true},
		{name: "hf:2026-13-01", err: `"2026-13-01" is not a day`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fx.requests())
			l, err := srcs.Resolve(context.Background(), tt.name)
			asked := fx.requests()[before:]
			wantAsked := []string(nil)
			if tt.asked != "" {
				wantAsked = []string{"/api/daily_papers?date=" + tt.asked}
			}
			if !reflect.DeepEqual(asked, wantAsked) && len(asked)+len(wantAsked) > 0 {
				t.Errorf("asked %v, want %v", asked, wantAsked)
			}
			if tt.err != "" {
				want := strings.ReplaceAll(tt.err, "URL", fx.srv.URL+"/api/daily_papers?date="+tt.asked)
				if err == nil || !strings.HasPrefix(err.Error(), tt.name) || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %v, %v; want an error naming %s and saying %q", l, err, tt.name, want)
				}
				var fe *FetchError
				if errors.As(err, &fe) != (tt.status != 0) || tt.status != 0 && fe.Status != tt.status {
					t.Errorf("error %v: want status %d", err, tt.status)
				}
				if errors.Is(err, ErrBadSource) != tt.bad {
					t.Errorf("errors.Is(ErrBadSource) = %v, want %v", !tt.bad, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !l.Empty || l.Note != tt.note || l.Date != tt.asked || len(l.Papers) != 0 {
				t.Errorf("empty %v, note %q, day %q, %d papers; want an empty listing of %s saying %q", l.Empty, l.Note, l.Date, len(l.Papers), tt.asked, tt.note)
			}
		})
	}
}

// TestResolveHFShared answers with the real Daily Papers responses of
// ../shared/data, each at its own day.
func TestResolveHFShared(t *testing.T) {
	days, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "hf-json", "*.json"))
	if len(days) == 0 {
		t.Skip("../shared/data/hf-json is not here: skipping the real Daily Papers answers")
	}
	fx := newServices(t)
	counts := map[string]int{}
	for _, f := range days {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		day := strings.TrimSuffix(filepath.Base(f), ".json")
		fx.hf[day] = answer{body: string(data), header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}
		counts[day] = strings.Count(string(data), `"paper":{`) + strings.Count(string(data), `"paper": {`)
	}
	srcs, _ := fx.sources(sundayEvening)
	for day, n := range counts {
		l, err := srcs.Resolve(context.Background(), "hf:"+day)
		if err != nil {
			t.Fatalf("hf:%s: %v", day, err)
		}
		if l.Date != day || len(l.Papers) != n || len(l.Skipped) != 0 || l.Empty {
			t.Errorf("hf:%s: day %q, %d papers of %d, %d skipped, empty %v", day, l.Date, len(l.Papers), n, len(l.Skipped), l.Empty)
		}
	}
}

// generatedFeed is an RSS announcement feed of n new papers from first on.
func generatedFeed(cat string, first, n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version='1.0' encoding='UTF-8'?>` + "\n" +
		`<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>` +
		`<title>` + cat + ` updates on arXiv.org</title><pubDate>Fri, 21 Aug 2026 00:00:00 -0400</pubDate>` +
		"<skipDays><day>Saturday</day><day>Sunday</day></skipDays>\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "<item><title>Paper %d</title><link>https://arxiv.org/abs/2608.%05d</link>"+
			"<description>arXiv:2608.%05dv1 Announce Type: new \nAbstract: Abstract %d.</description>"+
			"<guid isPermaLink=\"false\">oai:arXiv.org:2608.%05dv1</guid><category>%s</category>"+
			"<pubDate>Fri, 21 Aug 2026 00:00:00 -0400</pubDate><arxiv:announce_type>new</arxiv:announce_type>"+
			"<dc:creator>Author %d</dc:creator></item>\n", i, i, i, i, i, cat, i)
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// TestResolveArxiv: the day's announcements of one or several categories,
// completed by the arXiv API, and every way it fails.
func TestResolveArxiv(t *testing.T) {
	fx := newServices(t)
	rss := answer{header: map[string]string{"Content-Type": "application/rss+xml"}}
	feed := func(body string) answer { a := rss; a.body = body; return a }
	fx.feeds["cs.CL"] = feed(string(readFixture(t, "arxiv-rss.xml")))
	fx.api["2608.12003"] = answer{body: string(readFixture(t, "arxiv-api-fill.atom.xml"))}
	fx.feeds["cs.CL+cs.LG"] = answer{body: string(readFixture(t, "arxiv-announce.atom.xml"))}
	fx.feeds["math.AG"] = feed(string(readFixture(t, "arxiv-rss-empty.xml")))
	fx.feeds["math.HO"] = feed(strings.Replace(string(readFixture(t, "arxiv-rss-empty.xml")), "Sat, 22 Aug", "Thu, 20 Aug", -1))
	fx.feeds["cs.DL"] = feed(`<rss version="2.0"><channel><pubDate>Fri, 21 Aug 2026 00:00:00 -0400</pubDate><item><title>T</title>` +
		`<description>arXiv:2401.00001v2 Announce Type: replace Abstract: A.</description></item></channel></rss>`)
	fx.feeds["cs.RO"] = answer{status: 503, header: map[string]string{"Retry-After": "30"}}
	fx.feeds["cs.IR"] = feed(`<rss version="2.0"><channel><pubDate>Fri, 21 Aug 2026 00:00:00 -0400</pubDate>` +
		`<item><title>Kept</title><description>arXiv:2608.00010v1 Announce Type: new Abstract: A.</description><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">A. Author</dc:creator></item>` +
		`<item><title>Lacking</title><description>arXiv:2608.00011v1 Announce Type: new Abstract: </description></item></channel></rss>`)
	fx.api["2608.00011"] = answer{status: 500}
	fx.feeds["cs.SE"] = feed(`<rss version="2.0"><channel><pubDate>Fri, 21 Aug 2026 00:00:00 -0400</pubDate>` +
		`<item><title>Lacking</title><description>arXiv:2608.00011v1 Announce Type: new Abstract: </description></item></channel></rss>`)
	fx.feeds["cs.NE"] = feed(strings.ReplaceAll(generatedFeed("cs.NE", 1, 2), "21 Aug 2026", "14 Aug 2026"))
	fx.feeds["cs.AI+cs.LG"] = feed(generatedFeed("cs.AI", 1, arxivFeedLimit))
	fx.feeds["cs.AI"] = feed(generatedFeed("cs.AI", 1, 1500))
	fx.feeds["cs.LG"] = feed(generatedFeed("cs.LG", 1001, 1500))
	fx.feeds["cs.MA"] = answer{body: "<html><body>Oops</body></html>"}
	fx.feeds["cs.GT"] = answer{body: ""}

	fri := time.Date(2026, 8, 21, 9, 0, 0, 0, time.UTC)
	srcs, clock := fx.sources(fri)
	l, err := srcs.Resolve(context.Background(), "arxiv:cs.CL")
	if err != nil {
		t.Fatal(err)
	}
	wantAsked := []string{"/rss/cs.CL", "/api/query?id_list=2608.12003&max_results=1"}
	if got := fx.requests(); !reflect.DeepEqual(got, wantAsked) {
		t.Errorf("asked %v, want %v", got, wantAsked)
	}
	if !reflect.DeepEqual(clock.slept, []time.Duration{3 * time.Second}) {
		t.Errorf("slept %v between the feed and the API, want 3s", clock.slept)
	}
	if fx.uas[0] != UserAgent || fx.uas[1] != UserAgent {
		t.Errorf("user agents %q", fx.uas)
	}
	if l.Source != "arxiv:cs.CL" || l.Format != "arxiv-rss" || l.Date != "2026-08-21" || len(l.Papers) != 4 || l.Replaced != 2 ||
		len(l.Skipped) != 0 || len(l.Warnings) != 0 || l.Empty || len(l.URLs) != 1 {
		t.Fatalf("source %q format %q day %q, %d papers, %d replaced, skipped %+v, warnings %+v, empty %v, urls %v",
			l.Source, l.Format, l.Date, len(l.Papers), l.Replaced, l.Skipped, l.Warnings, l.Empty, l.URLs)
	}
	checkPaper(t, l.Papers[3], want{ID: "2608.12003", ArxivID: "2608.12003", Title: "An Announcement Without Its Abstract",
		Abstract: "The abstract, as the API gives it.", Authors: []string{"Katherine Johnson", "Dorothy Vaughan"}, NAuthors: ip(2),
		Date: "2026-08-21", Category: "cs.CL", URL: "https://arxiv.org/abs/2608.12003", Line: 83})

	tests := []struct {
		name     string
		asked    []string
		papers   int
		note     string
		warning  string
		skipped  int
		err      string
		status   int
		replaced int
	}{
		{name: "arxiv:cs.CL,cs.LG", asked: []string{"/rss/cs.CL+cs.LG"}, papers: 2, replaced: 1},
		{name: "arxiv:math.AG", asked: []string{"/rss/math.AG"},
			note: "no arXiv announcements for math.AG on Saturday 2026-08-22: arXiv announces nothing on Saturday and Sunday"},
		{name: "arxiv:math.HO", asked: []string{"/rss/math.HO"},
			note: "no arXiv announcements for math.HO on Thursday 2026-08-20: an arXiv holiday? (or not a category: https://arxiv.org/category_taxonomy)"},
		{name: "arxiv:cs.DL", asked: []string{"/rss/cs.DL"}, replaced: 1,
			note: "no new papers in arXiv's announcements for cs.DL of Friday 2026-08-21: its 1 announcements are all new versions of papers announced before"},
		{name: "arxiv:cs.XX", asked: []string{"/rss/cs.XX"}, status: 404,
			err: "arxiv:cs.XX: arXiv's announcement feed (URL/rss/cs.XX): the server answered 404 Not Found: is cs.XX an arXiv category? (https://arxiv.org/category_taxonomy)"},
		{name: "arxiv:cs.RO", asked: []string{"/rss/cs.RO"}, status: 503, err: "503 Service Unavailable (retry after 30): the service asks for fewer requests; try again later"},
		{name: "arxiv:cs.IR", asked: []string{"/rss/cs.IR", "/api/query?id_list=2608.00011&max_results=1"}, papers: 1, skipped: 1,
			warning: "the arXiv API could not complete 1 of the feed's papers that lack an abstract or authors: the arXiv API (URL/api/query?id_list=2608.00011&max_results=1): the server answered 500 Internal Server Error: the service is failing; try again later"},
		{name: "arxiv:cs.SE", asked: []string{"/rss/cs.SE", "/api/query?id_list=2608.00011&max_results=1"},
			err: "arxiv:cs.SE:1: no usable papers: every record was skipped (first: item 1 (2608.00011) has no abstract)"},
		{name: "arxiv:cs.NE", asked: []string{"/rss/cs.NE"}, papers: 2,
			warning: "arXiv's feed lists the announcements of 2026-08-14, 7 days ago: arXiv has not announced since (a holiday?) or has not refreshed the feed"},
		{name: "arxiv:cs.AI,cs.LG", asked: []string{"/rss/cs.AI+cs.LG", "/rss/cs.AI", "/rss/cs.LG"}, papers: 2500},
		{name: "arxiv:cs.MA", asked: []string{"/rss/cs.MA"}, err: "arxiv:cs.MA:1: XML whose root is <html>"},
		{name: "arxiv:cs.GT", asked: []string{"/rss/cs.GT"}, err: "arxiv:cs.GT:1: the file is empty"},
		{name: "arxiv:", err: "arxiv:: which categories?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fx.requests())
			slept := len(clock.slept)
			l, err := srcs.Resolve(context.Background(), tt.name)
			asked := fx.requests()[before:]
			if !reflect.DeepEqual(asked, tt.asked) && len(asked)+len(tt.asked) > 0 {
				t.Errorf("asked %v, want %v", asked, tt.asked)
			}
			// every request to arXiv waits its turn, the first one included
			// (the test's requests follow each other at once)
			if n := len(clock.slept) - slept; n != len(tt.asked) {
				t.Errorf("slept %d times for %d requests", n, len(tt.asked))
			}
			for _, d := range clock.slept[slept:] {
				if d != 3*time.Second {
					t.Errorf("slept %v, want 3s", d)
				}
			}
			if tt.err != "" {
				want := strings.ReplaceAll(tt.err, "URL", fx.srv.URL)
				if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), tt.name) {
					t.Fatalf("got %v; want an error saying %q", err, want)
				}
				var fe *FetchError
				if errors.As(err, &fe) != (tt.status != 0) || tt.status != 0 && fe.Status != tt.status {
					t.Errorf("error %v: want status %d", err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Papers) != tt.papers || l.Note != tt.note || l.Empty != (tt.note != "") || len(l.Skipped) != tt.skipped || l.Replaced != tt.replaced {
				t.Errorf("%d papers, note %q, empty %v, skipped %+v, replaced %d; want %d papers, note %q, %d skipped, %d replaced",
					len(l.Papers), l.Note, l.Empty, l.Skipped, l.Replaced, tt.papers, tt.note, tt.skipped, tt.replaced)
			}
			warning := strings.ReplaceAll(tt.warning, "URL", fx.srv.URL)
			if (warning == "") != (len(l.Warnings) == 0) || warning != "" && !strings.Contains(l.Warnings[0].Msg, warning) {
				t.Errorf("warnings %+v, want %q", l.Warnings, warning)
			}
			seen := map[string]bool{}
			for _, p := range l.Papers {
				if seen[p.ID] || p.Date == "" || p.ArxivID == "" {
					t.Errorf("paper %+v: twice, or without a day or an arXiv id", p)
				}
				seen[p.ID] = true
			}
		})
	}
}

// TestArxivGate: arXiv's requests go one at a time, 3 s apart from the end
// of one to the start of the next, measured on the injected clock.
func TestArxivGate(t *testing.T) {
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte(generatedFeed("cs.CL", 1, 1)))
	}))
	defer srv.Close()
	clock := &fakeClock{t: time.Date(2026, 8, 21, 9, 0, 0, 0, time.UTC)}
	srcs := &Sources{ArxivFeedBase: srv.URL, Client: srv.Client(), Now: clock.Now, Sleep: clock.Sleep}
	ctx := context.Background()
	get := func() {
		t.Helper()
		if _, err := srcs.arxivGet(ctx, srv.URL+"/rss/cs.CL"); err != nil {
			t.Fatal(err)
		}
	}
	get()                          // the first waits for nothing
	get()                          // at once: 3 s
	clock.advance(time.Second)     // 1 s later: 2 s more
	get()                          //
	clock.advance(5 * time.Second) // long after: nothing
	get()
	if want := []time.Duration{3 * time.Second, 2 * time.Second}; !reflect.DeepEqual(clock.slept, want) {
		t.Errorf("slept %v, want %v", clock.slept, want)
	}

	// concurrent resolutions share the gate: never two requests at once
	clock.slept = nil
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := srcs.Resolve(ctx, "arxiv:cs.CL"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 || len(clock.slept) != 4 {
		t.Errorf("%d requests at once at most, %d waits; want 1 and 4", most.Load(), len(clock.slept))
	}

	// a custom interval, and the real sleep ends with the context
	srcs = &Sources{ArxivFeedBase: srv.URL, Client: srv.Client(), ArxivInterval: time.Hour}
	get()
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := srcs.Resolve(cctx, "arxiv:cs.CL")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("got %v after %v; want context.Canceled at once", err, time.Since(start))
	}
}
