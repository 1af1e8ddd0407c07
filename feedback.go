package papersift

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/store"
)

// The kinds of feedback.
const (
	Like    = "like"
	Dislike = "dislike"
	Read    = "read"
	Unrate  = "unrate" // removes likes, dislikes and read marks
)

// RatedPaper is a paper the reader rated, and its rating before and after.
type RatedPaper struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Was   string `json:"was"` // "like", "dislike", "read", "like, read" or "" (none)
	Now   string `json:"now"`
}

// Changed reports whether the rating changed.
func (r RatedPaper) Changed() bool { return r.Was != r.Now }

func ratingText(r store.Rating) string {
	switch {
	case r.Feedback != "" && r.Read:
		return r.Feedback + ", read"
	case r.Read:
		return Read
	}
	return r.Feedback
}

// Rate records the reader's feedback on papers (ids or title fragments)
// and returns them, each once, with their rating before and after. Like
// and dislike replace each other; read is kept beside them; unrate removes
// all three. Every paper is resolved first: one unknown paper fails the
// whole and nothing is recorded.
func (l *Library) Rate(ctx context.Context, kind string, refs []string) ([]RatedPaper, error) {
	switch kind {
	case Like, Dislike, Read, Unrate:
	default:
		return nil, optionErrorf("unknown feedback %q: use like, dislike, read or unrate", kind)
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	var pids []int64
	var out []RatedPaper
	seen := map[int64]bool{}
	for _, ref := range refs {
		p, err := s.FindPaper(ctx, ref, paper.NormalizeID)
		if err != nil {
			return nil, err
		}
		if !seen[p.PID] {
			seen[p.PID] = true
			pids = append(pids, p.PID)
			out = append(out, RatedPaper{ID: p.ID, Title: p.Title})
		}
	}
	before, err := s.Ratings(ctx, pids)
	if err != nil {
		return nil, err
	}
	if kind == Unrate {
		err = s.Unrate(ctx, pids)
	} else {
		err = s.Rate(ctx, kind, pids)
	}
	if err != nil {
		return nil, err
	}
	for i, pid := range pids {
		r := before[pid]
		out[i].Was = ratingText(r)
		switch kind {
		case Unrate:
			r = store.Rating{}
		case Read:
			r.Read = true
		default:
			r.Feedback = kind
		}
		out[i].Now = ratingText(r)
	}
	return out, nil
}

// NormalizeInterest is an interest as stored: its words, single spaces.
func NormalizeInterest(text string) string { return strings.Join(strings.Fields(text), " ") }

// AddInterest adds a free-text interest to the profile; text that is not
// UTF-8 is an *OptionError (stored as given, it could be neither shown nor
// removed again; what is shown of an interest is sanitised).
func (l *Library) AddInterest(ctx context.Context, text string) error {
	if !utf8.ValidString(text) {
		return optionErrorf("interest %q: give text (UTF-8)", text)
	}
	s, err := l.db(ctx)
	if err != nil {
		return err
	}
	if err := s.AddInterest(ctx, NormalizeInterest(text)); err != nil {
		return err
	}
	l.cacheInterestVectors(ctx, s) // for the queue, which may only read
	return nil
}

// RemoveInterest removes an interest; an unknown one is an error that
// lists those there are.
func (l *Library) RemoveInterest(ctx context.Context, text string) error {
	s, err := l.db(ctx)
	if err != nil {
		return err
	}
	text = NormalizeInterest(text)
	err = s.RemoveInterest(ctx, text)
	if errors.Is(err, store.ErrNotFound) {
		p, perr := s.Profile(ctx)
		if perr == nil && len(p.Interests) > 0 {
			return fmt.Errorf("no interest %q (interests: %s)", text, strings.Join(quoteAll(p.Interests), ", "))
		}
		return fmt.Errorf("no interest %q (there are none)", text)
	}
	return err
}

// Profile is the reader's feedback and interests.
type Profile struct {
	Likes     []string `json:"likes"`
	Dislikes  []string `json:"dislikes"`
	Read      []string `json:"read"`
	Interests []string `json:"interests"`
	// Titles of the rated papers, by id.
	Titles map[string]string `json:"-"`
}

// Profile returns the reader's likes, dislikes, read papers and interests.
func (l *Library) Profile(ctx context.Context) (*Profile, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Profile(ctx)
	if err != nil {
		return nil, err
	}
	ids := func(rs []store.Rated) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return out
	}
	out := &Profile{Likes: ids(p.Likes), Dislikes: ids(p.Dislikes), Read: ids(p.Read), Interests: p.Interests, Titles: map[string]string{}}
	if out.Interests == nil {
		out.Interests = []string{}
	}
	var pids []int64
	for _, rs := range [][]store.Rated{p.Likes, p.Dislikes, p.Read} {
		for _, r := range rs {
			pids = append(pids, r.PID)
		}
	}
	titles, err := s.Titles(ctx, pids)
	if err != nil {
		return nil, err
	}
	for _, rs := range [][]store.Rated{p.Likes, p.Dislikes, p.Read} {
		for _, r := range rs {
			out.Titles[r.ID] = titles[r.PID]
		}
	}
	return out, nil
}
