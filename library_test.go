package papersift_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/ingest"
)

const seed = "testdata/000_b745d9aefa4b81e4.txt"

// events records what operations tell the reader.
type events struct {
	mu                sync.Mutex
	notices, warnings []string
	// progress: each step's description, total and the sum of its Adds
	progress []*progressLog
}

type progressLog struct {
	desc       string
	total, sum int
	done       bool
}

func (e *events) Notice(m string) { e.mu.Lock(); e.notices = append(e.notices, m); e.mu.Unlock() }
func (e *events) Warning(m string) {
	e.mu.Lock()
	e.warnings = append(e.warnings, m)
	e.mu.Unlock()
}
func (e *events) Progress(total int, desc string) papersift.Progress {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl := &progressLog{desc: desc, total: total}
	e.progress = append(e.progress, pl)
	return quietProgress{e, pl}
}

type quietProgress struct {
	e  *events
	pl *progressLog
}

func (p quietProgress) Add(n int)        { p.e.mu.Lock(); p.pl.sum += n; p.e.mu.Unlock() }
func (quietProgress) Retried()           {}
func (p quietProgress) Notice(m string)  { p.e.Notice(m) }
func (p quietProgress) Warning(m string) { p.e.Warning(m) }
func (quietProgress) Shown() bool        { return false }
func (p quietProgress) Done()            { p.e.mu.Lock(); p.pl.done = true; p.e.mu.Unlock() }

// newLibrary is a library on a new database in a test folder, with the
// seed page ingested unless empty.
func newLibrary(t *testing.T, empty bool) (*papersift.Library, *events) {
	t.Helper()
	ev := &events{}
	l, err := papersift.New(papersift.Config{DB: filepath.Join(t.TempDir(), "p.db"), Events: ev,
		Now: func() time.Time { return time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if !empty {
		if _, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{seed}}); err != nil {
			t.Fatal(err)
		}
	}
	return l, ev
}

func TestIngestAndPapers(t *testing.T) {
	ctx := context.Background()
	l, ev := newLibrary(t, true)
	res, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{seed}})
	if err != nil {
		t.Fatal(err)
	}
	// 56 papers are too few to learn from: the background model alone
	if res.Read != 56 || res.New != 56 || res.Embedded != 56 || len(res.Lists) != 1 ||
		!strings.HasPrefix(res.Model, "local/bg128@") || strings.Contains(res.Model, "lsa") {
		t.Errorf("first ingest: %+v", res)
	}
	if slices.ContainsFunc(ev.notices, func(n string) bool { return strings.Contains(n, "fitting") }) {
		t.Errorf("a fit on 56 papers: %q", ev.notices)
	}
	again, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{seed}})
	if err != nil || again.New != 0 || again.Updated != 0 || again.Embedded != 0 {
		t.Errorf("a second ingest of the same page: %+v, %v", again, err)
	}
	ps, err := l.Papers(ctx, papersift.PapersOptions{Scope: papersift.ListScope(res.List)})
	if err != nil || len(ps) != 56 {
		t.Fatalf("papers of the list: %d, %v", len(ps), err)
	}
	for _, p := range ps {
		if p.Title == "" || p.Abstract == "" || !slices.Contains(p.Lists, res.List) {
			t.Errorf("paper %+v", p)
		}
	}
	few, err := l.Papers(ctx, papersift.PapersOptions{Limit: 3})
	if err != nil || len(few) != 3 {
		t.Errorf("limit 3: %d, %v", len(few), err)
	}
	// a bad source fails the whole and names the line
	_, err = l.Ingest(ctx, papersift.IngestOptions{Sources: []string{"-"}, Stdin: strings.NewReader("{\"title\":\"t\",\"abstract\":\"a\"}\nnot json\n")})
	var pe *ingest.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("a bad line: %v", err)
	}
	// a skipped record is a warning
	ev.warnings = nil
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{"-"}, NoEmbed: true,
		Stdin: strings.NewReader("{\"id\":\"x1\",\"title\":\"Kept\",\"abstract\":\"An abstract.\"}\n{\"id\":\"x2\",\"title\":\"No abstract\"}\n")}); err != nil {
		t.Fatal(err)
	}
	if len(ev.warnings) != 1 || !strings.Contains(ev.warnings[0], "stdin:2") {
		t.Errorf("warnings %q", ev.warnings)
	}
	var oe *papersift.OptionError
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{seed}, Format: "pdf"}); !errors.As(err, &oe) {
		t.Errorf("an unknown format: %v, want an OptionError", err)
	}
}

func TestSimilar(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	hits, err := l.Similar(ctx, papersift.SimilarOptions{Paper: "Brain-IT", K: 5})
	if err != nil || len(hits) != 5 {
		t.Fatalf("similar: %v, %v", hits, err)
	}
	for i, h := range hits {
		if strings.Contains(h.Title, "Brain-IT") || h.Score > 1 || (i > 0 && h.Score > hits[i-1].Score) {
			t.Errorf("hit %d: %+v", i, h)
		}
	}
	text, err := l.Similar(ctx, papersift.SimilarOptions{Text: "decoding images from fMRI brain activity", K: 3})
	if err != nil || len(text) != 3 {
		t.Fatalf("similar text: %v, %v", text, err)
	}
	if _, err := l.Similar(ctx, papersift.SimilarOptions{Paper: "no such paper anywhere"}); err == nil {
		t.Error("an unknown paper: no error")
	}
	if _, err := l.Similar(ctx, papersift.SimilarOptions{Paper: "Brain-IT", Scope: papersift.ListScope("nope")}); err == nil || !strings.Contains(err.Error(), `no list "nope"`) {
		t.Errorf("an unknown list: %v", err)
	}
}

func TestGroupDeterministic(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	a, err := l.Group(ctx, papersift.GroupOptions{K: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Group(ctx, papersift.GroupOptions{K: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, c := range a.Clusters {
		n += c.Size
		if c.Label == "" || len(c.Papers) != c.Size || c.ID != i {
			t.Errorf("cluster %+v", c)
		}
		if b.Clusters[i].Label != c.Label || b.Clusters[i].Size != c.Size {
			t.Errorf("the same seed gave another cluster %d", i)
		}
	}
	if a.K != 4 || n != 56 || a.List == "" {
		t.Errorf("k %d, %d papers, list %q", a.K, n, a.List)
	}
	auto, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.Scope{All: true}})
	if err != nil || auto.Auto == nil || len(auto.Auto.Tried) == 0 {
		t.Errorf("auto: %+v, %v", auto, err)
	}
}

func TestFeedbackQueueEval(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	if _, err := l.Queue(ctx, papersift.QueueOptions{}); !errors.Is(err, papersift.ErrEmptyProfile) {
		t.Errorf("an empty profile: %v", err)
	}
	rated, err := l.Rate(ctx, papersift.Like, []string{"Brain-IT", "MEG-GPT", "Brain-IT"})
	if err != nil || len(rated) != 2 || rated[0].Was != "" || rated[0].Now != "like" || !strings.Contains(rated[0].Title, "Brain-IT") {
		t.Fatalf("like: %+v, %v", rated, err)
	}
	likes := []string{rated[0].ID, rated[1].ID}
	if _, err := l.Rate(ctx, papersift.Dislike, []string{"Titans"}); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Rate(ctx, papersift.Read, []string{"Titans"}); err != nil || r[0].Was != "dislike" || r[0].Now != "dislike, read" || !r[0].Changed() {
		t.Errorf("read a disliked paper: %+v, %v", r, err)
	}
	if r, err := l.Rate(ctx, papersift.Unrate, []string{"Titans"}); err != nil || r[0].Was != "dislike, read" || r[0].Now != "" {
		t.Errorf("unrate: %+v, %v", r, err)
	}
	if _, err := l.Rate(ctx, papersift.Dislike, []string{"Titans"}); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Rate(ctx, papersift.Dislike, []string{"Titans"}); err != nil || r[0].Changed() {
		t.Errorf("a second dislike changes nothing: %+v, %v", r, err)
	}
	if _, err := l.Rate(ctx, "love", []string{"Titans"}); err == nil {
		t.Error("an unknown kind of feedback: no error")
	}
	if err := l.AddInterest(ctx, "  spiking   neural networks "); err != nil {
		t.Fatal(err)
	}
	p, err := l.Profile(ctx)
	if err != nil || len(p.Likes) != 2 || len(p.Dislikes) != 1 || len(p.Interests) != 1 || p.Interests[0] != "spiking neural networks" || p.Titles[p.Likes[0]] == "" {
		t.Fatalf("profile %+v, %v", p, err)
	}
	q, err := l.Queue(ctx, papersift.QueueOptions{N: 10, Diversity: papersift.DefaultDiversity})
	if err != nil || len(q) != 10 {
		t.Fatalf("queue: %v, %v", q, err)
	}
	for i, it := range q {
		if it.Rank != i+1 || slices.Contains(likes, it.ID) || it.Reason == "" {
			t.Errorf("item %+v", it)
		}
	}
	ev, err := l.Eval(ctx, papersift.EvalOptions{K: 5})
	if err != nil || ev.Likes != 2 || ev.AUC < 0 || ev.AUC > 1 {
		t.Errorf("eval %+v, %v", ev, err)
	}
	if err := l.RemoveInterest(ctx, "graph neural networks"); err == nil || !strings.Contains(err.Error(), "spiking neural networks") {
		t.Errorf("removing an unknown interest: %v", err)
	}
	if _, err := l.Rate(ctx, papersift.Unrate, likes); err != nil {
		t.Fatal(err)
	}
	if p, _ := l.Profile(ctx); len(p.Likes) != 0 {
		t.Errorf("likes left after unrate: %v", p.Likes)
	}
}

func TestDigestAndPage(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, true)
	d, err := l.Digest(ctx, papersift.DigestOptions{Ingest: papersift.IngestOptions{Sources: []string{seed}}, K: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.Ingest == nil || d.Ingest.New != 56 || d.Groups.K != 5 || d.Profile || len(d.Queue) != 0 || d.List != d.Ingest.List {
		t.Errorf("digest without a profile: %+v", d)
	}
	if _, err := l.Rate(ctx, papersift.Like, []string{"Brain-IT"}); err != nil {
		t.Fatal(err)
	}
	d, err = l.Digest(ctx, papersift.DigestOptions{N: 3})
	if err != nil || !d.Profile || len(d.Queue) != 3 {
		t.Fatalf("digest with a like: %+v, %v", d, err)
	}
	page, err := l.Page(ctx, d, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range page.Clusters {
		for _, p := range c.Papers {
			n++
			if p.Abstract == "" {
				t.Errorf("paper %s has no abstract on the page", p.ID)
			}
		}
	}
	if n != 56 || len(page.Queue) != 3 || len(page.Explained) == 0 {
		t.Errorf("page: %d papers, %d queued, explained %v", n, len(page.Queue), page.Explained)
	}
	// a digest for its page only reads no title the page does not show:
	// the same page
	po, err := l.Digest(ctx, papersift.DigestOptions{N: 3, PageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if po.Groups.Clusters[0].Papers[0].Title != "" {
		t.Errorf("a page-only digest's groups carry titles")
	}
	page2, err := l.Page(ctx, po, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page, page2) {
		t.Errorf("the page of a page-only digest differs")
	}
}

func TestStatsAndDoctor(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, true)
	rep, err := l.Doctor(ctx, papersift.DoctorOptions{})
	if err != nil || !rep.OK || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "no database yet") {
		t.Errorf("doctor before anything: %+v, %v", rep, err)
	}
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{seed}}); err != nil {
		t.Fatal(err)
	}
	st, err := l.Stats(ctx)
	if err != nil || st.Papers != 56 || st.Lists != 1 || !st.Embedded || *st.Missing != 0 || *st.Dimensions < 2 {
		t.Errorf("stats %+v, %v", st, err)
	}
	rep, err = l.Doctor(ctx, papersift.DoctorOptions{})
	if err != nil || rep.Stored == nil || rep.Stored.Vectors != 56 {
		t.Errorf("doctor: %+v, %v", rep, err)
	}
}

func TestEmbedRefit(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	res, err := l.Embed(ctx, papersift.EmbedOptions{})
	if err != nil || res.Embedded != 0 || res.Refitted {
		t.Errorf("nothing to embed: %+v, %v", res, err)
	}
	res, err = l.Embed(ctx, papersift.EmbedOptions{Refit: true})
	if err != nil || res.Embedded != 56 || !res.Refitted || res.Failed == nil {
		t.Errorf("refit: %+v, %v", res, err)
	}
}

func TestConfig(t *testing.T) {
	var oe *papersift.OptionError
	if _, err := papersift.New(papersift.Config{DB: "x.db", Embedder: "word2vec"}); !errors.As(err, &oe) {
		t.Errorf("an unknown embedder: %v", err)
	}
	if err := (papersift.Scope{Lists: []string{"a"}, All: true}).Check(); !errors.As(err, &oe) {
		t.Errorf("two scopes: %v", err)
	}
	if err := (papersift.Scope{Since: "2026-02-30"}).Check(); !errors.As(err, &oe) {
		t.Errorf("an impossible day: %v", err)
	}
}
