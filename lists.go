package papersift

import (
	"context"
	"errors"

	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/store"
)

// ListInfo is a list of papers: what one ingest (or several into the same
// list) recorded.
type ListInfo struct {
	Name     string `json:"name"`
	Papers   int    `json:"papers"`
	Source   string `json:"source"`   // the source last ingested into it
	Created  string `json:"created"`  // when it was first ingested (RFC 3339, UTC)
	Ingested string `json:"ingested"` // when it was last ingested
}

// Lists returns every list, the most recently ingested first.
func (l *Library) Lists(ctx context.Context) ([]ListInfo, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	ls, err := s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ListInfo, len(ls))
	for i, x := range ls {
		out[i] = ListInfo{Name: x.Name, Papers: x.Papers, Source: x.Source, Created: x.Created, Ingested: x.Updated}
	}
	return out, nil
}

// PaperView is a paper with what the reader knows of it: its lists, the
// reader's rating, and its nearest papers.
type PaperView struct {
	ListedPaper
	Rating  string // "like", "dislike", "read", "like, read" or ""
	Similar []Hit  // the nearest papers (none without a vector)
	// Model is the model of the vectors Similar compares ("" when none).
	Model string
}

// MarshalJSON writes the paper's contract shape with "rating" and
// "similar" added.
func (v PaperView) MarshalJSON() ([]byte, error) {
	b, err := v.ListedPaper.MarshalJSON()
	if err != nil {
		return nil, err
	}
	extra, err := marshalNoEscape(struct {
		Rating  string `json:"rating"`
		Similar []Hit  `json:"similar"`
	}{v.Rating, v.Similar})
	if err != nil {
		return nil, err
	}
	// the paper's fields in their order, then the two added
	return append(append(b[:len(b)-1:len(b)-1], ','), extra[1:]...), nil
}

// ShowOptions ask for one paper.
type ShowOptions struct {
	Paper   string // an id or a fragment of one title
	Similar int    // how many nearest papers (default 5; -1: none)
}

// Show returns a paper (an id or a fragment of one title) with its lists,
// the reader's rating and its nearest papers.
func (l *Library) Show(ctx context.Context, o ShowOptions) (*PaperView, error) {
	if o.Similar == 0 {
		o.Similar = 5
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.FindPaper(ctx, o.Paper, paper.NormalizeID)
	if err != nil {
		return nil, err
	}
	rows, err := s.PapersByPID(ctx, []int64{p.PID})
	if err != nil {
		return nil, err
	}
	if err := s.FillLists(ctx, rows); err != nil {
		return nil, err
	}
	if len(rows) == 1 {
		p = &rows[0]
	}
	r, err := s.Ratings(ctx, []int64{p.PID})
	if err != nil {
		return nil, err
	}
	v := &PaperView{ListedPaper: ListedPaper{Paper: p.Paper, Lists: p.Lists}, Rating: ratingText(r[p.PID]), Similar: []Hit{}}
	if o.Similar > 0 {
		hits, err := l.Similar(ctx, SimilarOptions{Paper: p.ID, K: o.Similar})
		switch {
		case errors.Is(err, ErrNoVectors), errors.Is(err, store.ErrNotFound):
		case err != nil:
			l.warnf("no similar papers: %v", err)
		default:
			v.Similar = hits
			if m, err := l.activeModel(ctx, s); err == nil {
				v.Model = m.Name
			}
		}
	}
	return v, nil
}
