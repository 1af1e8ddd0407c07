package papersift

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/store"
)

// DefaultDiversity is off: the queue spreads across the reader's topics by
// ranking each topic on its own and alternating between them (see
// recommend.Rank), which measured better than maximal marginal relevance.
const DefaultDiversity = 0

// QueueOptions ask for a reading queue.
type QueueOptions struct {
	N           int     // length (default 20)
	Scope       Scope   // default: the most recently ingested list
	IncludeRead bool    // keep papers marked read
	Diversity   float64 // 0 to 1: spread the top by similarity (maximal marginal relevance) instead of by the reader's topics (0 is off)
	HalfLife    float64 // days: favour recent papers (0 is off)
}

// QueueItem is a paper of the queue and why it is there.
type QueueItem struct {
	Rank  int     `json:"rank"`
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"` // relevance to the whole profile, in standard deviations over the list
	// Match is the cosine (on vectors centred on the corpus) of the paper
	// and the closest of the reader's likes and interests; Strength says it
	// in a word: "strong", "good" or "weak" (below the floor: nothing the
	// reader likes is near it; weak papers come last).
	Match    float64 `json:"match"`
	Strength string  `json:"strength"`
	Weak     bool    `json:"weak"`
	Reason   string  `json:"reason"`
}

// strength names a match in a word.
func strength(it recommend.Item) string {
	switch {
	case it.Weak:
		return "weak"
	case it.Match >= recommend.StrongMatch:
		return "strong"
	}
	return "good"
}

// errNothingToRank: the profile has likes or interests, but none of them
// has a vector to rank against.
var errNothingToRank = errors.New("nothing in your profile can be ranked against")

// readerModel is the profile as rows of the active model's matrix.
type readerModel struct {
	store   *store.Store
	mat     *store.Matrix
	prof    *store.Profile
	p       recommend.Profile
	exclude map[int64]bool // liked, disliked (and read unless asked) papers
	scope   Scope
	// interests are the texts of p.Interests, those that could be embedded
	interests []string
}

// loadReader reads the profile and the active vectors, resolving the scope
// (default: the most recent list).
func (l *Library) loadReader(ctx context.Context, scope Scope, includeRead bool) (*readerModel, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	prof, err := s.Profile(ctx)
	if err != nil {
		return nil, err
	}
	if prof.Empty() {
		return nil, ErrEmptyProfile
	}
	if scope, err = resolveScope(ctx, s, scope); err != nil {
		return nil, err
	}
	mat, err := l.activeMatrix(ctx, s)
	if err != nil {
		return nil, err
	}
	// the matrix is in the papers' order
	row := func(pid int64) (int, bool) { return slices.BinarySearch(mat.PIDs, pid) }
	rm := &readerModel{store: s, mat: mat, prof: prof, exclude: map[int64]bool{}, scope: scope}
	noVec := 0
	for _, r := range prof.Likes {
		rm.exclude[r.PID] = true
		if i, ok := row(r.PID); ok {
			rm.p.Likes = append(rm.p.Likes, i)
		} else {
			noVec++
		}
	}
	for _, r := range prof.Dislikes {
		rm.exclude[r.PID] = true
		if i, ok := row(r.PID); ok {
			rm.p.Dislikes = append(rm.p.Dislikes, i)
		}
	}
	if !includeRead {
		for _, r := range prof.Read {
			rm.exclude[r.PID] = true
		}
	}
	if noVec > 0 {
		l.notef("note: %d liked paper(s) have no vector of %s: %s", noVec, mat.Model, l.embedAdvice())
	}
	// all interests in one request; interests names those that made it
	var interests []string
	ivs, ierrs, whole := l.interestVectors(ctx, s, mat, prof.Interests, false)
	if whole != nil {
		l.warnf("your interests are left out: %v", whole)
		ivs = nil
	}
	for i, v := range ivs {
		if ierrs[i] != nil {
			l.warnf("interest %q is left out: %v", prof.Interests[i], ierrs[i])
			continue
		}
		rm.p.Interests = append(rm.p.Interests, v)
		interests = append(interests, prof.Interests[i])
	}
	rm.interests = interests
	if len(rm.p.Likes) == 0 && len(rm.p.Interests) == 0 {
		if len(prof.Likes) == 0 && whole != nil {
			return nil, fmt.Errorf("%w: your interests could not be embedded: %w", errNothingToRank, whole)
		}
		if len(prof.Likes) == 0 {
			return nil, fmt.Errorf("%w: none of your interests could be embedded (%s): try other words, or like a paper (papersift like ID)", errNothingToRank, strings.Join(quoteAll(prof.Interests), ", "))
		}
		return nil, fmt.Errorf("%w: none of your liked papers has a vector of %s yet: run papersift embed", errNothingToRank, mat.Model)
	}
	return rm, nil
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// candidates are the rows of the scope that the queue may show.
func (rm *readerModel) candidates(ctx context.Context) ([]int, error) {
	want, err := allowed(ctx, rm.store, rm.scope)
	if err != nil {
		return nil, err
	}
	var cand []int
	for r, pid := range rm.mat.PIDs {
		if (want == nil || want[pid]) && !rm.exclude[pid] {
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

// Queue ranks the papers of a scope against the reader's likes, dislikes
// and interests, each with a reason in words; liked, disliked and read
// papers are left out. An empty profile is ErrEmptyProfile.
func (l *Library) Queue(ctx context.Context, o QueueOptions) ([]QueueItem, error) {
	if o.N <= 0 {
		o.N = 20
	}
	rm, err := l.loadReader(ctx, o.Scope, o.IncludeRead)
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
	if len(cand) >= groupProgressFrom {
		// a few seconds: the models learned and the scoring, as they go
		prog := l.ev.Progress(-1, fmt.Sprintf("ranking %d papers", len(cand)))
		defer prog.Done()
		opt.OnStep = func() { prog.Add(1) }
	}
	items, err := recommend.Rank(ctx, mat.Data, mat.Dim, cand, rm.p, opt)
	if errors.Is(err, recommend.ErrEmptyProfile) {
		return nil, ErrEmptyProfile
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
	byPID := map[int64]store.Row{}
	for _, p := range ps {
		byPID[p.PID] = p
	}
	out := make([]QueueItem, len(items))
	for i, it := range items {
		p := byPID[mat.PIDs[it.Index]]
		out[i] = QueueItem{Rank: i + 1, ID: p.ID, Title: p.Title, Score: round3(it.Score), Match: round3(it.Match), Strength: strength(it),
			Weak: it.Weak, Reason: reasonText(it.Reason, it.Weak, mat, byPID, rm.interests)}
	}
	return out, nil
}

// reasonText says why a paper is queued, in words; a weak match is said to
// be one, not "close to" what it resembles little.
func reasonText(r recommend.Reason, weak bool, mat *store.Matrix, byPID map[int64]store.Row, interests []string) string {
	var s string
	switch {
	case r.Interest >= 0 && weak:
		s = fmt.Sprintf("a weak match: nearest to your interest %q (%.2f)", interests[r.Interest], r.Similarity)
	case r.Interest >= 0:
		s = fmt.Sprintf("matches your interest %q (%.2f)", interests[r.Interest], r.Similarity)
	case weak:
		p := byPID[mat.PIDs[r.Anchor]]
		s = fmt.Sprintf("a weak match: nearest to %q (%s), which you liked (%.2f)", cut(p.Title, 70), p.ID, r.Similarity)
	default:
		p := byPID[mat.PIDs[r.Anchor]]
		s = fmt.Sprintf("close to %q (%s), which you liked (%.2f)", cut(p.Title, 70), p.ID, r.Similarity)
	}
	if r.Dislike >= 0 {
		p := byPID[mat.PIDs[r.Dislike]]
		s += fmt.Sprintf("; ranked lower for resembling %q (%s), which you disliked (%.2f)", cut(p.Title, 50), p.ID, r.DislikeSimilarity)
	}
	return s
}

// EvalOptions ask how well the profile predicts the reader's likes.
type EvalOptions struct {
	Scope Scope // default: every paper (likes come from every list)
	K     int   // the top k a held-out like should reach (default 10)
}

// EvalResult is a leave-one-out evaluation of the reader's profile.
type EvalResult struct {
	Likes        int     `json:"likes"`
	Candidates   int     `json:"candidates"`
	K            int     `json:"k"`
	HitRate      float64 `json:"hit_rate_at_k"`
	PrecisionAtK float64 `json:"precision_at_k"`
	AUC          float64 `json:"auc"`
	Chance       float64 `json:"chance_hit_rate"`
	// Note says when the figures mean little (too few likes to judge).
	Note string `json:"note,omitempty"`
}

// evalMinLikes is how many likes make eval's figures mean something.
const evalMinLikes = 5

// Eval leaves each liked paper out in turn and ranks it among the other
// papers of the scope with the rest of the profile: hit rate and precision
// at K, AUC.
func (l *Library) Eval(ctx context.Context, o EvalOptions) (*EvalResult, error) {
	if o.K <= 0 {
		o.K = 10
	}
	f := o.Scope
	if f.empty() {
		f.All = true // your likes come from every list
	}
	rm, err := l.loadReader(ctx, f, true)
	if err != nil {
		return nil, err
	}
	cand, err := rm.candidates(ctx)
	if err != nil {
		return nil, err
	}
	ev, err := recommend.Evaluate(ctx, rm.mat.Data, rm.mat.Dim, cand, rm.p, o.K, recommend.QueueOptions{})
	if errors.Is(err, recommend.ErrTooFewLikes) {
		return nil, fmt.Errorf("eval leaves each liked paper out in turn: like at least two papers with vectors first (papersift like ID)")
	}
	if errors.Is(err, recommend.ErrNoCandidates) {
		return nil, fmt.Errorf("eval ranks each liked paper among the others of the scope, and there are none: widen it (--all)")
	}
	if err != nil {
		return nil, err
	}
	out := &EvalResult{Likes: ev.Rounds, Candidates: len(cand), K: o.K, HitRate: round3(ev.HitRate), PrecisionAtK: round3(ev.PrecisionAtK),
		AUC: round3(ev.AUC), Chance: round3(ev.Chance)}
	if ev.Rounds < evalMinLikes {
		out.Note = fmt.Sprintf("with %d liked papers these figures mean little (a hit rate of 1 of %d, an AUC on %d rankings): like at least %d papers for a measure", ev.Rounds, ev.Rounds, ev.Rounds, evalMinLikes)
	}
	return out, nil
}
