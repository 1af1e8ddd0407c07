package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/store"
)

type queueOpts struct {
	N           int
	Scope       filterOpts
	IncludeRead bool
}

type queueItemJSON struct {
	Rank   int     `json:"rank"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// errEmptyProfile tells the reader how to start.
var errEmptyProfile = errors.New(`your profile is empty, so there is nothing to rank against: like a paper (papersift like ID) or add an interest (papersift interest add "TEXT")`)

func queueCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "queue",
		Usage: "your reading queue: papers ranked against your likes, dislikes and interests, each with a reason",
		Flags: append(scopeFlags(),
			&cli.IntFlag{Name: "n", Value: 20, Usage: "length of the queue"},
			&cli.BoolFlag{Name: "include-read", Usage: "keep papers marked read"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := queueOpts{N: c.Int("n"), Scope: f, IncludeRead: c.Bool("include-read")}
			if o.N <= 0 {
				return usagef("-n must be positive")
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

func runQueue(ctx context.Context, g *globals, o queueOpts) ([]queueItemJSON, error) {
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
	f := o.Scope
	if !f.All && f.List == "" && f.Since == "" {
		if f.List, err = defaultList(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := checkList(ctx, s, f.List); err != nil {
		return nil, err
	}
	mat, err := g.activeMatrix(ctx, s)
	if err != nil {
		return nil, err
	}
	row := make(map[int64]int, len(mat.PIDs))
	for i, pid := range mat.PIDs {
		row[pid] = i
	}
	var p recommend.Profile
	exclude := map[int64]bool{}
	noVec := 0
	for _, r := range prof.Likes {
		exclude[r.PID] = true
		if i, ok := row[r.PID]; ok {
			p.Likes = append(p.Likes, i)
		} else {
			noVec++
		}
	}
	for _, r := range prof.Dislikes {
		exclude[r.PID] = true
		if i, ok := row[r.PID]; ok {
			p.Dislikes = append(p.Dislikes, i)
		}
	}
	if !o.IncludeRead {
		for _, r := range prof.Read {
			exclude[r.PID] = true
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
		p.Interests = append(p.Interests, v)
		interests = append(interests, prof.Interests[i])
	}
	if len(p.Likes) == 0 && len(p.Interests) == 0 {
		return nil, fmt.Errorf("none of your liked papers has a vector of %s yet: run papersift embed", mat.Model)
	}
	sel, err := selectRows(ctx, s, mat, f)
	if err != nil {
		return nil, err
	}
	var cand []int
	for _, r := range sel.rows {
		if !exclude[mat.PIDs[r]] {
			cand = append(cand, r)
		}
	}
	items, err := recommend.Rank(ctx, mat.Data, mat.Dim, cand, p, recommend.QueueOptions{N: o.N})
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
		out[i] = queueItemJSON{Rank: i + 1, ID: p.ID, Title: p.Title, Score: round3(it.Score), Reason: reasonText(it.Reason, mat, byPID, interests)}
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
