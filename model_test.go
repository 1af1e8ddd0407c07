package papersift_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/embed"
)

// topicWords are the vocabularies of four made-up fields of research.
var topicWords = [][]string{
	strings.Fields("protein folding structure residues molecular dynamics binding affinity enzyme ligand docking sequence alignment amino acids membrane receptor kinase mutation stability conformational"),
	strings.Fields("robot manipulation grasping trajectory planning control policy locomotion sensors actuators navigation mapping localization odometry gripper arm motion kinematics dynamics torque"),
	strings.Fields("galaxy stellar cosmology redshift telescope spectra dark matter halo luminosity supernova photometric survey emission quasar accretion black hole gravitational lensing cluster"),
	strings.Fields("language translation tokens corpus parsing syntax semantics dialogue summarization sentiment grammar vocabulary speech transcription question answering retrieval entity lexical"),
}

var commonWords = strings.Fields("we propose method results show approach performance novel data model analysis evaluate experiments demonstrate significant improvement framework based study present using new")

// writeCorpus writes n made-up papers (ids from first on) as JSONL into
// dir and returns the file's path.
func writeCorpus(t *testing.T, dir, name string, first, n int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(first), 7))
	var b strings.Builder
	for i := first; i < first+n; i++ {
		topic := topicWords[i%len(topicWords)]
		var words []string
		for range 40 {
			if r.IntN(3) == 0 {
				words = append(words, commonWords[r.IntN(len(commonWords))])
			} else {
				words = append(words, topic[r.IntN(len(topic))])
			}
		}
		rec := map[string]string{"id": fmt.Sprintf("synthetic-%05d", i),
			"title":    fmt.Sprintf("On %s and %s %d", topic[r.IntN(len(topic))], topic[r.IntN(len(topic))], i),
			"abstract": strings.Join(words, " ") + "."}
		line, _ := json.Marshal(rec)
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBuiltinModelPolicy follows a reader's corpus as it grows: the
// background model alone below 500 papers (yesterday's vectors do not
// move), a corpus part from 500 papers on (announced), papers folded into
// that fit until the corpus has grown by half, then one refit.
func TestBuiltinModelPolicy(t *testing.T) {
	ctx := context.Background()
	l, ev := newLibrary(t, true)
	dir := t.TempDir()
	ingest := func(name string, first, n int) *papersift.IngestResult {
		t.Helper()
		ev.notices = nil
		res, err := l.Ingest(ctx, papersift.IngestOptions{List: strings.TrimSuffix(name, ".jsonl"),
			Sources: []string{writeCorpus(t, dir, name, first, n)}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	similar := func(list string) []papersift.Hit {
		t.Helper()
		hits, err := l.Similar(ctx, papersift.SimilarOptions{Paper: "synthetic-00000", K: 20, Scope: papersift.ListScope(list)})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}

	day1 := ingest("day1.jsonl", 0, 300)
	if !strings.HasPrefix(day1.Model, "local/bg128@") || strings.Contains(day1.Model, "lsa") {
		t.Fatalf("300 papers: model %s, want the background alone", day1.Model)
	}
	before := similar(day1.List)

	day2 := ingest("day2.jsonl", 300, 150)
	if day2.Model != day1.Model || day2.Embedded != 150 {
		t.Errorf("450 papers: %+v, want the same model and only the new papers embedded", day2)
	}
	if after := similar(day1.List); !slices.Equal(before, after) {
		t.Errorf("yesterday's neighbours moved with today's list:\n%v\n%v", before, after)
	}

	day3 := ingest("day3.jsonl", 450, 100) // 550 papers
	if !strings.HasPrefix(day3.Model, day1.Model+"+lsa32@") || day3.Embedded != 550 {
		t.Fatalf("550 papers: %+v, want a corpus part and every paper re-embedded", day3)
	}
	if !slices.ContainsFunc(ev.notices, func(n string) bool { return strings.Contains(n, "re-embedding 550 papers") }) {
		t.Errorf("the refit was not announced: %q", ev.notices)
	}
	st, err := l.Stats(ctx)
	if err != nil || st.Dimensions == nil || *st.Dimensions != 160 {
		t.Errorf("stats after the corpus fit: %+v, %v", st, err)
	}
	// the corpus part's terms are weighed by the corpus's own topics: the
	// model is the focused fit of the 550 papers, not the plain one
	var docs []string
	for _, name := range []string{"day1.jsonl", "day2.jsonl", "day3.jsonl"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec struct{ Title, Abstract string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, embed.Text(rec.Title, rec.Abstract))
		}
	}
	bg, err := embed.DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	topics := func(ctx context.Context, data []float32, dim, k int, seed uint64) ([]int, error) {
		res, err := cluster.KMeans{K: k, Restarts: 2, Seed: seed}.Fit(ctx, data, dim)
		if err != nil {
			return nil, err
		}
		return res.Assign, nil
	}
	focused, err := embed.FitBuiltin(ctx, bg, docs, embed.BuiltinConfig{Cluster: topics})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := embed.FitBuiltin(ctx, bg, docs, embed.BuiltinConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if day3.Model != focused.Model() || plain.Model() == focused.Model() {
		t.Errorf("550 papers: model %s; focused fit %s, plain fit %s", day3.Model, focused.Model(), plain.Model())
	}
	// the corpus part knows the four fields apart
	for _, h := range similar(day1.List)[:10] {
		var i int
		fmt.Sscanf(h.ID, "synthetic-%d", &i)
		if i%4 != 0 {
			t.Errorf("a paper of another field among the nearest: %+v", h)
		}
	}

	day4 := ingest("day4.jsonl", 550, 200) // 750 < 1.5 * 550: folded in
	if day4.Model != day3.Model || day4.Embedded != 200 {
		t.Errorf("750 papers: %+v, want the fit of 550 and only the new papers embedded", day4)
	}
	day5 := ingest("day5.jsonl", 750, 100) // 850 >= 825: refitted
	if day5.Model == day3.Model || !strings.Contains(day5.Model, "+lsa32@") || day5.Embedded != 850 {
		t.Errorf("850 papers: %+v, want a refit", day5)
	}

	// asking for a refit of the same corpus changes nothing
	res, err := l.Embed(ctx, papersift.EmbedOptions{Refit: true})
	if err != nil || res.Model != day5.Model {
		t.Errorf("embed --refit: %+v, %v", res, err)
	}
}

// writeTopic writes n made-up papers of one field (topicWords[field]).
func writeTopic(t *testing.T, dir, name string, field, first, n int) string {
	t.Helper()
	path := writeCorpus(t, dir, name, first, (n+1)*len(topicWords))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for k, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if (first+k)%len(topicWords) == field && len(keep) < n {
			keep = append(keep, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A list with nothing near what the reader likes: the queue's papers are
// weak, and the digest says there are no strong matches and shows a few.
func TestNoStrongMatches(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, true)
	dir := t.TempDir()
	for _, src := range []struct {
		list  string
		field int
	}{{"bio", 0}, {"astro", 2}} {
		if _, err := l.Ingest(ctx, papersift.IngestOptions{List: src.list, Sources: []string{writeTopic(t, dir, src.list+".jsonl", src.field, 0, 30)}}); err != nil {
			t.Fatal(err)
		}
	}
	bio, err := l.Papers(ctx, papersift.PapersOptions{Scope: papersift.ListScope("bio"), Limit: 5})
	if err != nil || len(bio) != 5 {
		t.Fatal(len(bio), err)
	}
	var ids []string
	for _, p := range bio {
		ids = append(ids, p.ID)
	}
	if _, err := l.Rate(ctx, papersift.Like, ids); err != nil {
		t.Fatal(err)
	}
	q, err := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.ListScope("astro")})
	if err != nil || len(q) != 10 {
		t.Fatalf("queue of the other field: %d, %v", len(q), err)
	}
	for _, it := range q {
		if !it.Weak || it.Strength != "weak" {
			t.Errorf("a paper of another field is not weak: %+v", it)
		}
	}
	own, err := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.ListScope("bio")})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range own {
		if it.Weak {
			t.Errorf("a paper of the reader's own field is weak: %+v", it)
		}
	}
	d, err := l.Digest(ctx, papersift.DigestOptions{Lists: []string{"astro"}})
	if err != nil {
		t.Fatal(err)
	}
	if !d.NoStrong || len(d.Queue) != 3 {
		t.Errorf("digest of the other field: no_strong %v, %d papers queued; want true and 3", d.NoStrong, len(d.Queue))
	}
}

// The page of a big list (more than 2,000 papers) reads in full only what
// it shows, and shows the queued papers in full, with their abstracts.
func TestBigPageQueued(t *testing.T) {
	if testing.Short() {
		t.Skip("a list of 2,500 papers")
	}
	ctx := context.Background()
	l, _ := newLibrary(t, true)
	src := writeCorpus(t, t.TempDir(), "big.jsonl", 0, 2500)
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{src}, List: "big"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Rate(ctx, papersift.Like, []string{"synthetic-00000", "synthetic-00001"}); err != nil {
		t.Fatal(err)
	}
	d, err := l.Digest(ctx, papersift.DigestOptions{Lists: []string{"big"}, K: 4, Seed: 1, N: 10})
	if err != nil || len(d.Queue) != 10 {
		t.Fatalf("digest: %v, %d queued", err, len(d.Queue))
	}
	page, err := l.Page(ctx, d, false)
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	for _, q := range d.Queue {
		queued[q.ID] = true
	}
	shown, lean := 0, 0
	for _, c := range page.Clusters {
		for _, p := range c.Papers {
			if queued[p.ID] {
				shown++
				if p.Abstract == "" {
					t.Errorf("queued paper %s is on the page without its abstract", p.ID)
				}
			}
			if p.Abstract == "" {
				lean++
			}
		}
	}
	if shown != 10 || lean == 0 {
		t.Errorf("%d queued papers in the topics (want 10); %d papers not read in full (want most)", shown, lean)
	}
	if len(page.Queue) != 10 || page.Queue[0].Title == "" {
		t.Errorf("the page's queue: %+v", page.Queue)
	}
}
