package papersift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/papersift/papersift/digest"
	"github.com/papersift/papersift/store"
)

// DigestOptions ask for the day's digest.
type DigestOptions struct {
	Ingest IngestOptions // sources to ingest first (none: digest what is stored)
	// Lists are the lists to digest (default: every list the sources
	// went to, else the most recently ingested). Ingest.List names the
	// list the sources go to.
	Lists []string
	K     int // topics (0: auto)
	Seed  uint64
	N     int // length of the reading queue (default 10)
	// PageOnly: the caller only renders the page (Page), which reads the
	// titles of the papers it shows: the groups' papers then carry no
	// title (a list of a million papers' titles take seconds to read).
	PageOnly bool
}

// Digest is the day: its topics and, when the reader has a profile, what
// to read first.
type Digest struct {
	List   string        `json:"list"`            // the list digested; several are joined by " + "
	Lists  []string      `json:"lists,omitempty"` // the lists, when several
	Ingest *IngestResult `json:"ingest,omitempty"`
	Groups *Groups       `json:"groups"`
	Queue  []QueueItem   `json:"queue"`
	// Profile: the reader has a profile, so the queue means something.
	Profile bool `json:"-"`
	// NoStrong: nothing of the list is near what the reader likes; the
	// queue holds the few best, all weak.
	NoStrong bool `json:"no_strong_matches,omitempty"`
}

// Digest ingests the given sources (if any), groups the list into topics,
// and ranks it when the reader has a profile. Papers the endpoint refuses
// leave a warning; the digest goes on without them.
func (l *Library) Digest(ctx context.Context, o DigestOptions) (*Digest, error) {
	if o.N <= 0 {
		o.N = 10
	}
	d := &Digest{}
	lists := o.Lists
	if len(o.Ingest.Sources) > 0 {
		res, err := l.Ingest(ctx, o.Ingest)
		var partial *EmbedFailures
		if errors.As(err, &partial) && res != nil {
			// a few papers lack vectors: the day's digest goes on without them
			l.warnf("%v", err)
		} else if err != nil {
			return nil, err
		}
		d.Ingest = res
		if len(lists) == 0 {
			lists = res.Lists // everything the sources brought
		}
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		name, err := defaultList(ctx, s)
		if err != nil {
			return nil, err
		}
		if len(o.Ingest.Sources) > 0 {
			l.notef("the sources brought no papers: digesting the most recent list, %s", name)
		}
		lists = []string{name}
	}
	d.List = strings.Join(lists, " + ")
	if len(lists) > 1 {
		d.Lists = lists
	}
	scope := Scope{Lists: lists}
	gro := GroupOptions{Scope: scope, K: o.K, Seed: o.Seed}
	if o.PageOnly {
		gro.TitlesFor = -1
	}
	if d.Groups, err = l.Group(ctx, gro); err != nil {
		return nil, err
	}
	q, err := l.Queue(ctx, QueueOptions{N: o.N, Scope: scope})
	switch {
	case errors.Is(err, ErrEmptyProfile):
		d.Queue = []QueueItem{}
	case errors.Is(err, errNothingToRank):
		// the day's topics still make a digest
		l.warnf("no reading queue: %v", err)
		d.Queue = []QueueItem{}
	case err != nil:
		return nil, err
	default:
		d.Queue, d.Profile = q, true
		if len(q) > 0 && q[0].Weak {
			// nothing of the list is near what the reader likes: the few
			// best, as weak matches
			d.Queue = q[:min(len(q), weakShown)]
			d.NoStrong = true
		}
	}
	return d, nil
}

// weakShown is how many weak matches a digest shows when the list has no
// other.
const weakShown = 3

// noStrongNote says that the list holds nothing near what the reader likes.
const noStrongNote = "No strong matches in this list: nothing in it is near what you like. The few best are shown as weak matches."

// Page gathers what the digest's page shows beyond the groups and the
// queue: each paper's metadata, which papers the reader liked and, with
// withMap, where each paper of the map goes (a t-SNE layout of their
// vectors that keeps the topics apart, digest.Layout).
func (l *Library) Page(ctx context.Context, d *Digest, withMap bool) (*digest.Digest, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	out := &digest.Digest{List: d.List, Model: d.Groups.Model, Profile: d.Profile, Note: d.Groups.Note}
	if d.NoStrong {
		out.Note = strings.TrimSpace(out.Note + " " + noStrongNote)
	}
	prof, err := s.Profile(ctx)
	if err != nil {
		return nil, err
	}
	liked := map[string]bool{}
	for _, r := range prof.Likes {
		liked[r.ID] = true
	}
	// every paper by its id and title first; the page decides which it
	// shows, and only those are read in full (a list of a million papers
	// shows a few thousand)
	for _, c := range d.Groups.Clusters {
		dc := digest.Cluster{Label: c.Label, Terms: c.Terms, Weak: c.Weak, Papers: make([]digest.Paper, len(c.Papers))}
		for i, h := range c.Papers {
			dc.Papers[i] = digest.Paper{ID: h.ID, Title: h.Title, Liked: liked[h.ID]}
		}
		out.Clusters = append(out.Clusters, dc)
	}
	for _, q := range d.Queue {
		out.Queue = append(out.Queue, digest.QueueItem{ID: q.ID})
	}
	var onPage []string
	out.OnPage(func(t, i int) { onPage = append(onPage, out.Clusters[t].Papers[i].ID) })
	for _, q := range d.Queue {
		onPage = append(onPage, q.ID)
	}
	pidOf, err := s.PIDsOf(ctx, onPage)
	if err != nil {
		return nil, err
	}
	pids := make([]int64, 0, len(onPage))
	for _, id := range onPage {
		pids = append(pids, pidOf[id])
	}
	ps, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Row, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	// the same page as above: the queue's ids still decide it
	out.OnPage(func(t, i int) {
		dp := &out.Clusters[t].Papers[i]
		p := byID[dp.ID]
		dp.Title = p.Title // the same, or none read yet (DigestOptions.PageOnly)
		dp.Abstract, dp.URL, dp.Authors, dp.Org, dp.Date, dp.Comments, dp.Upvotes = p.Abstract, p.Page(), p.Authors, p.Org, p.Date, p.Comments, p.Upvotes
		if p.NAuthors != nil {
			dp.NAuthors = *p.NAuthors
		}
	})
	out.Queue = nil
	for _, q := range d.Queue {
		reason := q.Reason
		if q.Weak {
			reason = "weak match: " + reason
		}
		out.Queue = append(out.Queue, digest.QueueItem{ID: q.ID, Title: q.Title, URL: byID[q.ID].Page(), Reason: reason})
	}
	if !withMap {
		return out, nil
	}
	pts := out.MapPoints()
	if len(pts) == 0 {
		return out, nil
	}
	m, err := l.activeModel(ctx, s)
	if err != nil {
		return nil, l.noVectors(ctx, s)
	}
	var more []string // map points are papers of the page: none, normally
	for _, p := range pts {
		if _, ok := pidOf[p.Paper.ID]; !ok {
			more = append(more, p.Paper.ID)
		}
	}
	if len(more) > 0 {
		extra, err := s.PIDsOf(ctx, more)
		if err != nil {
			return nil, err
		}
		maps.Copy(pidOf, extra)
	}
	data := make([]float32, 0, len(pts)*m.Dim)
	topics := make([]int, len(pts))
	for i, p := range pts {
		v, err := s.VectorOf(ctx, m, pidOf[p.Paper.ID])
		if err != nil {
			return nil, fmt.Errorf("map of the papers: paper %s: %w (run papersift embed)", p.Paper.ID, err)
		}
		data = append(data, v...)
		topics[i] = p.Topic
	}
	proj, err := digest.Layout(ctx, data, m.Dim, topics, digest.LayoutOptions{})
	if err != nil {
		return nil, fmt.Errorf("map of the papers: %w", err)
	}
	for i, p := range pts {
		p.Paper.X, p.Paper.Y = proj.Points[i][0], proj.Points[i][1]
	}
	return out, nil
}

// writeFeed writes the digest as an Atom feed that keeps its identity from
// day to day (the feed of the reader's daily digest).
func writeFeed(w io.Writer, page *digest.Digest, when time.Time, feedID string) error {
	return digest.Atom(w, page, digest.AtomOptions{Updated: when, ID: feedID, Title: "papersift: your daily papers"})
}
