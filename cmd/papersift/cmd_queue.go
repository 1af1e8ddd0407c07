package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/store"
)

type queueOpts struct {
	N           int
	Scope       filterOpts
	IncludeRead bool
	Diversity   float64 // 0: off
	HalfLife    float64 // days; 0: off
}

type queueItemJSON struct {
	Rank   int     `json:"rank"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// defaultDiversity is modest: it measured within noise of no diversity on
// quality.py's readers while spreading the top across a reader's topics.
const defaultDiversity = 0.1

// errEmptyProfile tells the reader how to start.
var errEmptyProfile = errors.New(`your profile is empty, so there is nothing to rank against: like a paper (papersift like ID) or add an interest (papersift interest add "TEXT")`)

func queueCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "queue",
		Usage: "your reading queue: papers ranked against your likes, dislikes and interests, each with a reason",
		Flags: append(scopeFlags(),
			&cli.IntFlag{Name: "n", Value: 20, Usage: "length of the queue"},
			&cli.BoolFlag{Name: "include-read", Usage: "keep papers marked read"},
			&cli.Float64Flag{Name: "diversity", Value: defaultDiversity, Usage: "0 to 1: how much the top of the queue spreads across your topics (maximal marginal relevance; 0 is off)"},
			&cli.Float64Flag{Name: "half-life", Usage: "favour recent papers: each DAYS of age costs as much as one standard deviation of relevance (0 is off)"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := queueOpts{N: c.Int("n"), Scope: f, IncludeRead: c.Bool("include-read"), Diversity: c.Float64("diversity"), HalfLife: c.Float64("half-life")}
			if o.N <= 0 {
				return usagef("-n must be positive")
			}
			if o.Diversity < 0 || o.Diversity >= 1 {
				return usagef("--diversity must be at least 0 and below 1")
			}
			if o.HalfLife < 0 {
				return usagef("--half-life must be positive (days)")
			}
			items, err := runQueue(c.Context, g, o)
			if err != nil {
				return err
			}
			return g.printQueue(items)
		},
	}
}

func (g *globals) printQueue(items []queueItemJSON) error {
	t := &table{head: []string{"rank", "score", "id", "title", "reason"}, wide: map[int]int{3: 60}}
	for _, it := range items {
		t.add(fmt.Sprint(it.Rank), score(it.Score), it.ID, it.Title, it.Reason)
	}
	return g.emit(items, t)
}

// readerModel is the profile as rows of the active model's matrix.
type readerModel struct {
	store   *store.Store
	mat     *store.Matrix
	prof    *store.Profile
	p       recommend.Profile
	exclude map[int64]bool // liked, disliked (and read unless asked) papers
	scope   filterOpts
	// interests are the texts of p.Interests, those that could be embedded
	interests []string
}

// loadReader reads the profile and the active vectors, resolving the scope
// (default: the most recent list).
func (g *globals) loadReader(ctx context.Context, scope filterOpts, includeRead bool) (*readerModel, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := s.Profile(ctx)
	if err != nil {
		return nil, err
	}
	if prof.Empty() {
		return nil, errEmptyProfile
	}
	if !scope.All && scope.List == "" && scope.Since == "" {
		if scope.List, err = defaultList(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := checkList(ctx, s, scope.List); err != nil {
		return nil, err
	}
	mat, err := g.activeMatrix(ctx, s)
	if err != nil {
		return nil, err
	}
	row := mat.RowIndex()
	rm := &readerModel{store: s, mat: mat, prof: prof, exclude: map[int64]bool{}, scope: scope}
	noVec := 0
	for _, r := range prof.Likes {
		rm.exclude[r.PID] = true
		if i, ok := row[r.PID]; ok {
			rm.p.Likes = append(rm.p.Likes, i)
		} else {
			noVec++
		}
	}
	for _, r := range prof.Dislikes {
		rm.exclude[r.PID] = true
		if i, ok := row[r.PID]; ok {
			rm.p.Dislikes = append(rm.p.Dislikes, i)
		}
	}
	if !includeRead {
		for _, r := range prof.Read {
			rm.exclude[r.PID] = true
		}
	}
	if noVec > 0 {
		g.notef("note: %d liked paper(s) have no vector of %s yet: run papersift embed", noVec, mat.Model)
	}
	// all interests in one request; interests names those that made it
	var interests []string
	ivs, ierrs, err := g.embedQueries(ctx, s, prof.Interests)
	if err != nil {
		g.warnf("your interests are left out: %v", err)
		ivs = nil
	}
	for i, v := range ivs {
		if ierrs[i] != nil {
			g.warnf("interest %q is left out: %v", prof.Interests[i], ierrs[i])
			continue
		}
		rm.p.Interests = append(rm.p.Interests, v)
		interests = append(interests, prof.Interests[i])
	}
	rm.interests = interests
	if len(rm.p.Likes) == 0 && len(rm.p.Interests) == 0 {
		if len(prof.Likes) == 0 {
			return nil, fmt.Errorf("none of your interests could be embedded (%s): try other words, or like a paper (papersift like ID)", strings.Join(quoteAll(prof.Interests), ", "))
		}
		return nil, fmt.Errorf("none of your liked papers has a vector of %s yet: run papersift embed", mat.Model)
	}
	return rm, nil
}

// candidates are the rows of the scope that the queue may show.
func (rm *readerModel) candidates(ctx context.Context) ([]int, error) {
	sel, err := selectRows(ctx, rm.store, rm.mat, rm.scope, false)
	if err != nil {
		return nil, err
	}
	var cand []int
	for _, r := range sel.rows {
		if !rm.exclude[rm.mat.PIDs[r]] {
			cand = append(cand, r)
		}
	}
	return cand, nil
}

// ages gives each row's age in days on the day of the newest paper.
func (rm *readerModel) ages(ctx context.Context) ([]float64, error) {
	dates, err := rm.store.Dates(ctx)
	if err != nil {
		return nil, err
	}
	newest := ""
	for _, d := range dates {
		newest = max(newest, d)
	}
	ref, err := time.Parse("2006-01-02", newest)
	ages := make([]float64, len(rm.mat.PIDs))
	if err != nil {
		return ages, nil // nothing is dated: no age
	}
	for i, pid := range rm.mat.PIDs {
		if t, err := time.Parse("2006-01-02", dates[pid]); err == nil {
			ages[i] = ref.Sub(t).Hours() / 24
		}
	}
	return ages, nil
}

func runQueue(ctx context.Context, g *globals, o queueOpts) ([]queueItemJSON, error) {
	rm, err := g.loadReader(ctx, o.Scope, o.IncludeRead)
	if err != nil {
		return nil, err
	}
	s, mat := rm.store, rm.mat
	cand, err := rm.candidates(ctx)
	if err != nil {
		return nil, err
	}
	opt := recommend.QueueOptions{N: o.N, Diversity: o.Diversity, HalfLife: o.HalfLife}
	if o.Diversity == 0 {
		opt.Diversity = -1 // off
	}
	if o.HalfLife > 0 {
		if opt.Ages, err = rm.ages(ctx); err != nil {
			return nil, err
		}
	}
	items, err := recommend.Rank(ctx, mat.Data, mat.Dim, cand, rm.p, opt)
	if errors.Is(err, recommend.ErrEmptyProfile) {
		return nil, errEmptyProfile
	}
	if err != nil {
		return nil, err
	}
	// titles of the queue and of the papers the reasons name
	var pids []int64
	for _, it := range items {
		pids = append(pids, mat.PIDs[it.Index])
		if it.Reason.Anchor >= 0 {
			pids = append(pids, mat.PIDs[it.Reason.Anchor])
		}
		if it.Reason.Dislike >= 0 {
			pids = append(pids, mat.PIDs[it.Reason.Dislike])
		}
	}
	ps, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	byPID := map[int64]store.Paper{}
	for _, p := range ps {
		byPID[p.PID] = p
	}
	out := make([]queueItemJSON, len(items))
	for i, it := range items {
		p := byPID[mat.PIDs[it.Index]]
		out[i] = queueItemJSON{Rank: i + 1, ID: p.ID, Title: p.Title, Score: round3(it.Score), Reason: reasonText(it.Reason, mat, byPID, rm.interests)}
	}
	return out, nil
}

// reasonText says why a paper is queued, in words.
func reasonText(r recommend.Reason, mat *store.Matrix, byPID map[int64]store.Paper, interests []string) string {
	var s string
	if r.Interest >= 0 {
		s = fmt.Sprintf("matches your interest %q (%.2f)", interests[r.Interest], r.Similarity)
	} else {
		p := byPID[mat.PIDs[r.Anchor]]
		s = fmt.Sprintf("close to %q (%s), which you liked (%.2f)", cut(p.Title, 70), p.ID, r.Similarity)
	}
	if r.Dislike >= 0 {
		p := byPID[mat.PIDs[r.Dislike]]
		s += fmt.Sprintf("; ranked lower for resembling %q (%s), which you disliked (%.2f)", cut(p.Title, 50), p.ID, r.DislikeSimilarity)
	}
	return s
}
