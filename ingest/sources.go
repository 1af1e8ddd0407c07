package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/papersift/papersift/internal/lazyre"
)

// Named sources are listings fetched by name rather than by file or URL:
//
//	hf:YYYY-MM-DD, hf:today, hf:yesterday
//	    Hugging Face Daily Papers of a day (days in UTC), from
//	    {HFBase}/api/daily_papers?date=YYYY-MM-DD. A day without papers
//	    (the API answers []: weekends, the early hours of today) is an
//	    Empty listing, not an error; a day still to come, or one that is no
//	    date, is an error before any request.
//	arxiv:CAT[,CAT...]
//	    the latest announcements of those arXiv categories, from arXiv's
//	    announcement feed {ArxivFeedBase}/rss/CAT+CAT... (new and
//	    cross-listed papers; see the arxiv-rss format). The feed is empty on
//	    Saturdays, Sundays and arXiv's holidays: an Empty listing. A record
//	    the feed gives without its abstract or authors is completed from the
//	    arXiv API ({ArxivAPIBase}/api/query?id_list=...), the only thing the
//	    API is asked for. Every request to arXiv (feed and API) goes through
//	    one gate: one at a time, ArxivInterval (3 s) apart, as arXiv's terms
//	    of use ask (https://info.arxiv.org/help/api/tou.html).

// Default addresses of the services behind named sources.
const (
	DefaultHFBase        = "https://huggingface.co"
	DefaultArxivFeedBase = "https://rss.arxiv.org"
	DefaultArxivAPIBase  = "https://export.arxiv.org"
	// DefaultArxivInterval is the time between two requests to arXiv: "no
	// more than 1 request every 3 seconds", one connection at a time.
	DefaultArxivInterval = 3 * time.Second
)

// arxivFeedLimit is the most announcements a feed of several categories
// lists ("Limit 2000 results", https://info.arxiv.org/help/rss.html).
const arxivFeedLimit = 2000

// arxivAPIBatch is the most ids asked of the arXiv API in one request.
const arxivAPIBatch = 100

// maxCategories caps the categories of one arxiv: name.
const maxCategories = 50

// NamedForms says which named sources there are, for messages.
const NamedForms = "hf:YYYY-MM-DD, hf:today or hf:yesterday (Hugging Face Daily Papers; days in UTC) " +
	"and arxiv:CAT[,CAT...] (the latest arXiv announcements of those categories, e.g. arxiv:cs.CL or arxiv:cs.CL,cs.LG)"

// ErrBadSource is a name that names no source: an unknown kind, a day
// that is no date or is still to come, a category that cannot be one.
// It is the reader's mistake (wrong usage), not a service's failure.
var ErrBadSource = errors.New("not a source papersift knows")

// SourceError is a named source (or a folder) that gave no listing.
type SourceError struct {
	Source string // as given: "hf:2026-08-21", "arxiv:cs.CL", a folder
	Msg    string
	Err    error // ErrBadSource, a *FetchError or the cause; nil when none
}

func (e *SourceError) Error() string { return e.Source + ": " + e.Msg }
func (e *SourceError) Unwrap() error { return e.Err }

// Sources resolves named sources into listings. The zero value uses the
// services' own addresses, http.DefaultClient, DefaultMaxBytes, the real
// clock and DefaultArxivInterval. Time limits come from the caller's
// context. A Sources is safe for concurrent use; its arXiv requests wait
// for each other. It must not be copied after first use.
type Sources struct {
	HFBase        string // "" is DefaultHFBase
	ArxivFeedBase string // "" is DefaultArxivFeedBase
	ArxivAPIBase  string // "" is DefaultArxivAPIBase
	Client        *http.Client
	MaxBytes      int64  // the size cap of one answer; 0 is DefaultMaxBytes
	UserAgent     string // "" is UserAgent (arXiv asks for a descriptive one)
	// Timeout bounds each request, its answer read whole; 0 is
	// DefaultRequestTimeout (a stalled server must not hang a cron job)
	Timeout time.Duration

	Now func() time.Time // the clock: what "today" is, and the arXiv gate's; nil is time.Now
	// Sleep waits d or until ctx ends (then it returns ctx's error); nil
	// sleeps for real. Tests inject one that only advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// ArxivInterval is the least time from the end of one arXiv request
	// to the start of the next; 0 is DefaultArxivInterval.
	ArxivInterval time.Duration
	// Replacements keeps arXiv's replacements (new versions of papers
	// announced before); they are left out by default (Listing.Replaced).
	Replacements bool

	mu   sync.Mutex
	gate chan struct{} // holds a token while an arXiv request is under way
	last time.Time     // when the last arXiv request ended; guarded by gate
}

// IsNamed reports whether a SOURCE argument names a source (hf:...,
// arxiv:...) rather than a file, a folder, stdin ("-") or a URL, so that
// names, URLs and files mix on one command line. hf: and arxiv: always
// name a source (write ./hf:x for a file of that name). Any other
// "word:..." does too, so that Resolve can say which names there are,
// unless it is a URL, a drive letter (C:\...) or a path that exists.
func IsNamed(arg string) bool {
	m := schemeRe.FindString(arg)
	if m == "" || IsURL(arg) || strings.Contains(arg, "://") {
		return false
	}
	switch strings.ToLower(m[:len(m)-1]) {
	case "hf", "arxiv":
		return true
	}
	if len(m) == 2 { // a drive letter
		return false
	}
	_, err := os.Lstat(arg)
	return err != nil
}

var schemeRe = lazyre.New(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// CheckName says what is wrong with a source name (IsNamed) without
// fetching anything: a *SourceError wrapping ErrBadSource, or nil. now says
// what today is.
func CheckName(name string, now time.Time) error {
	_, err := parseName(name, now)
	return err
}

// Resolve fetches a named source and reads it into a listing, Source set
// to the name. A day or feed with nothing on it is a listing with Empty set
// and Note saying why ("no papers on 2026-08-23 (a Sunday)"), not an
// error. Errors name the source: a *SourceError (wrapping ErrBadSource for
// a name that names nothing, or the *FetchError of a service that failed),
// or a *ParseError for an answer that is not the listing it should be.
func (s *Sources) Resolve(ctx context.Context, name string) (*Listing, error) {
	n, err := parseName(name, s.now())
	if err != nil {
		return nil, err
	}
	if n.kind == "hf" {
		return s.daily(ctx, name, n.day)
	}
	return s.announced(ctx, name, n.cats)
}

// named is a parsed source name.
type named struct {
	kind string   // "hf" or "arxiv"
	day  string   // hf: YYYY-MM-DD
	cats []string // arxiv: the categories
}

// arXiv categories: an archive (cs, hep-th, astro-ph, q-bio) and maybe a
// subject class (cs.CL, astro-ph.GA, cond-mat.str-el, physics.acc-ph).
var arxivCategory = lazyre.New(`^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?$`)

// parseName reads a source name; now says what today is.
func parseName(name string, now time.Time) (named, error) {
	bad := func(format string, a ...any) error {
		return &SourceError{Source: short(name), Msg: fmt.Sprintf(format, a...), Err: ErrBadSource}
	}
	scheme, rest, ok := strings.Cut(name, ":")
	if !ok {
		return named{}, bad("not a named source: named sources are %s", NamedForms)
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "hf":
		today := now.UTC()
		var day time.Time
		switch strings.ToLower(rest) {
		case "":
			return named{}, bad("which day? hf:YYYY-MM-DD, hf:today or hf:yesterday (days in UTC)")
		case "today":
			day = today
		case "yesterday":
			day = today.AddDate(0, 0, -1)
		default:
			t, err := time.Parse("2006-01-02", rest)
			if err != nil || len(rest) != 10 {
				return named{}, bad("%q is not a day: hf:YYYY-MM-DD (a date such as 2026-08-21), hf:today or hf:yesterday (days in UTC)", short(rest))
			}
			day = t
		}
		d, t := day.Format("2006-01-02"), today.Format("2006-01-02")
		if d > t {
			return named{}, bad("%s is still to come (today is %s in UTC): Daily Papers has no list for it yet", d, t)
		}
		return named{kind: "hf", day: d}, nil
	case "arxiv":
		var cats []string
		seen := map[string]bool{}
		for _, c := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == '+' }) {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			if a, sub, ok := strings.Cut(c, "."); ok { // the archive is lowercase: CS.CL is cs.CL
				c = strings.ToLower(a) + "." + sub
			} else {
				c = strings.ToLower(c)
			}
			if !arxivCategory.MatchString(c) {
				return named{}, bad("%q is not an arXiv category (such as cs.CL, math.AG, astro-ph.GA or hep-th: https://arxiv.org/category_taxonomy)", short(c))
			}
			if !seen[c] {
				seen[c] = true
				cats = append(cats, c)
			}
		}
		if len(cats) == 0 {
			return named{}, bad("which categories? arxiv:CAT or arxiv:CAT,CAT... (e.g. arxiv:cs.CL,cs.LG; the categories: https://arxiv.org/category_taxonomy)")
		}
		if len(cats) > maxCategories {
			return named{}, bad("%d categories, more than %d: ask for fewer at a time", len(cats), maxCategories)
		}
		return named{kind: "arxiv", cats: cats}, nil
	}
	return named{}, bad("unknown source %q: named sources are %s", short(scheme), NamedForms)
}

// daily is hf:DAY.
func (s *Sources) daily(ctx context.Context, name, day string) (*Listing, error) {
	u := strings.TrimRight(orDefault(s.HFBase, DefaultHFBase), "/") + "/api/daily_papers?date=" + day
	f, err := s.fetcher().Fetch(ctx, u)
	if err != nil {
		return nil, fetchFailed(name, "Hugging Face Daily Papers", err, "is the address of Hugging Face right?")
	}
	i := firstNonSpace(f.Data)
	if i < 0 {
		return nil, &SourceError{Source: name, Msg: fmt.Sprintf("Hugging Face Daily Papers (%s) answered with nothing", ShownURL(u))}
	}
	if t := f.Data[i:]; t[0] == '{' {
		// an error in a 2xx answer, or a new shape of the API
		msg := "an answer that is a JSON object, not the day's list"
		if r := serverReason(t); r != "" {
			msg = "an error: " + r
		}
		return nil, &SourceError{Source: name, Msg: fmt.Sprintf("Hugging Face Daily Papers (%s) answered with %s", ShownURL(u), msg)}
	}
	l, err := parseBytes(nil, nil, f.Data, Options{Source: name, Format: "hf-json"}, true)
	if err != nil {
		return nil, err
	}
	l.Date, l.URLs = day, []string{u}
	if l.Empty {
		l.Note = "no papers on " + day
		today := s.now().UTC().Format("2006-01-02")
		switch t, _ := time.Parse("2006-01-02", day); {
		case day == today:
			l.Note += " so far (today in UTC: the day's list fills as the day goes)"
		case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday:
			l.Note += " (a " + t.Weekday().String() + ")"
		}
	}
	return l, nil
}

// announced is arxiv:CATS.
func (s *Sources) announced(ctx context.Context, name string, cats []string) (*Listing, error) {
	l, info, err := s.feed(ctx, name, cats)
	if err != nil {
		return nil, err
	}
	if info.items >= arxivFeedLimit && len(cats) > 1 {
		// a feed of several categories stops at 2,000 announcements: read
		// each category's own
		all := &Listing{Source: name, Format: "arxiv-rss"}
		total := &feedInfo{}
		seen := map[string]bool{}
		for _, c := range cats {
			lc, ic, err := s.feed(ctx, name, []string{c})
			if err != nil {
				return nil, err
			}
			for _, p := range lc.Papers {
				if !seen[p.ID] {
					seen[p.ID] = true
					all.Papers = append(all.Papers, p)
				}
			}
			all.Skipped = append(all.Skipped, lc.Skipped...)
			all.Warnings = append(all.Warnings, lc.Warnings...)
			all.Replaced += lc.Replaced
			all.URLs = append(all.URLs, lc.URLs...)
			total.lacking = append(total.lacking, ic.lacking...)
			total.items += ic.items
			total.skipDays = ic.skipDays
			if ic.day > total.day {
				total.day = ic.day
			}
			if ic.items >= arxivFeedLimit {
				all.Warnings = append(all.Warnings, Warning{Msg: fmt.Sprintf(
					"arXiv's feed of %s stops at %s announcements: some of the day's may be missing", c, groupDigits(arxivFeedLimit))})
			}
		}
		all.Date = total.day
		l, info = all, total
	} else if info.items >= arxivFeedLimit {
		l.Warnings = append(l.Warnings, Warning{Msg: fmt.Sprintf(
			"arXiv's feed stops at %s announcements: some of the day's may be missing", groupDigits(arxivFeedLimit))})
	}
	if err := s.complete(ctx, name, l, info); err != nil {
		return nil, err
	}
	today := s.now().UTC()
	if d, err := time.Parse("2006-01-02", l.Date); err == nil && len(l.Papers) > 0 {
		if days := int(today.Sub(d).Hours() / 24); days > 3 {
			l.Warnings = append(l.Warnings, Warning{Msg: fmt.Sprintf(
				"arXiv's feed lists the announcements of %s, %d days ago: arXiv has not announced since (a holiday?) or has not refreshed the feed", l.Date, days)})
		}
	}
	if len(l.Papers) == 0 {
		if err := l.check(); len(l.Skipped) > 0 {
			return nil, err
		}
		l.Empty = true
		l.Note = feedEmptyNote(cats, l, info, today)
	}
	return l, nil
}

// feed fetches and reads one announcement feed of the categories.
func (s *Sources) feed(ctx context.Context, name string, cats []string) (*Listing, *feedInfo, error) {
	u := strings.TrimRight(orDefault(s.ArxivFeedBase, DefaultArxivFeedBase), "/") + "/rss/" + strings.Join(cats, "+")
	f, err := s.arxivGet(ctx, u)
	if err != nil {
		which := "is " + strings.Join(cats, ", ") + " an arXiv category? (https://arxiv.org/category_taxonomy)"
		return nil, nil, fetchFailed(name, "arXiv's announcement feed", err, which)
	}
	data, err := precheck(f.Data, name)
	if err != nil {
		return nil, nil, err
	}
	l, info, err := parseArxivFeed(data, name, s.Replacements)
	if err != nil {
		return nil, nil, err
	}
	l.Source, l.Format, l.URLs = name, "arxiv-rss", []string{u}
	return l, info, nil
}

// complete asks the arXiv API for what the feed gave without an abstract,
// a title or authors. A failing API is a warning: the feed's papers stand.
func (s *Sources) complete(ctx context.Context, name string, l *Listing, info *feedInfo) error {
	var ids []string
	asked := map[string]bool{}
	for _, lk := range info.lacking {
		if id := lk.rec.ArxivID; id != "" && !asked[id] {
			asked[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	got := map[string]Record{}
	for i := 0; i < len(ids); i += arxivAPIBatch {
		batch := ids[i:min(i+arxivAPIBatch, len(ids))]
		u := strings.TrimRight(orDefault(s.ArxivAPIBase, DefaultArxivAPIBase), "/") +
			"/api/query?id_list=" + strings.Join(batch, ",") + "&max_results=" + strconv.Itoa(len(batch))
		f, err := s.arxivGet(ctx, u)
		if err == nil {
			var al *Listing
			if al, err = parseBytes(nil, nil, f.Data, Options{Source: u, Format: "arxiv"}, true); err == nil {
				for _, p := range al.Papers {
					got[p.ArxivID] = p
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return fetchFailed(name, "the arXiv API", err, "")
		}
		why := err.Error()
		var se *SourceError
		if errors.As(fetchFailed(name, "the arXiv API", err, ""), &se) && se.Err != nil {
			why = se.Msg
		}
		l.Warnings = append(l.Warnings, Warning{Msg: fmt.Sprintf(
			"the arXiv API could not complete %d of the feed's papers that lack an abstract or authors: %s", len(ids)-i, why)})
		break
	}
	have := map[string]int{}
	for i, p := range l.Papers {
		have[p.ID] = i
	}
	for _, lk := range info.lacking {
		a, ok := got[lk.rec.ArxivID]
		if !ok {
			continue
		}
		if i, ok := have[lk.rec.ID]; ok { // kept without authors
			if p := &l.Papers[i]; len(p.Authors) == 0 && len(a.Authors) > 0 {
				p.Authors, p.NAuthors = a.Authors, a.NAuthors
			}
			continue
		}
		if !lk.skip {
			continue
		}
		p := lk.rec
		if blank(p.Title) {
			p.Title = a.Title
		}
		if blank(p.Abstract) {
			p.Abstract = a.Abstract
		}
		if len(p.Authors) == 0 {
			p.Authors = a.Authors
		}
		if p.Category == "" {
			p.Category = a.Category
		}
		if blank(p.Title) || blank(p.Abstract) {
			continue
		}
		p.NAuthors = nil
		finish(&p.Paper)
		if checkNUL(&p.Paper, name, p.Line) != nil {
			continue
		}
		have[p.ID] = len(l.Papers)
		l.Papers = append(l.Papers, p)
		kept := l.Skipped[:0]
		for _, sk := range l.Skipped {
			if sk.Line != p.Line || !strings.Contains(sk.Reason, "("+p.ID+")") {
				kept = append(kept, sk)
			}
		}
		l.Skipped = kept
	}
	return nil
}

// feedEmptyNote says why a feed has no papers.
func feedEmptyNote(cats []string, l *Listing, info *feedInfo, today time.Time) string {
	which := strings.Join(cats, ", ")
	day := today
	if d, err := time.Parse("2006-01-02", l.Date); err == nil {
		day = d
	}
	when := day.Weekday().String() + " " + day.Format("2006-01-02")
	if l.Replaced > 0 {
		return fmt.Sprintf("no new papers in arXiv's announcements for %s of %s: its %d announcements are all new versions of papers announced before",
			which, when, l.Replaced)
	}
	for _, d := range info.skipDays {
		if strings.EqualFold(d, day.Weekday().String()) {
			return fmt.Sprintf("no arXiv announcements for %s on %s: arXiv announces nothing on %s", which, when, strings.Join(info.skipDays, " and "))
		}
	}
	return fmt.Sprintf("no arXiv announcements for %s on %s: an arXiv holiday? (or not a category: https://arxiv.org/category_taxonomy)", which, when)
}

// arxivGet GETs from arXiv through the gate: one request at a time, the
// interval apart (from the end of one to the start of the next).
func (s *Sources) arxivGet(ctx context.Context, u string) (*Fetched, error) {
	s.mu.Lock()
	if s.gate == nil {
		s.gate = make(chan struct{}, 1)
	}
	gate := s.gate
	s.mu.Unlock()
	select {
	case gate <- struct{}{}:
	case <-ctx.Done():
		return nil, fetchFailure(ctx, u, ctx.Err())
	}
	defer func() { <-gate }()
	if !s.last.IsZero() {
		if wait := s.last.Add(s.interval()).Sub(s.now()); wait > 0 {
			if err := s.sleep(ctx, wait); err != nil {
				return nil, fetchFailure(ctx, u, err)
			}
		}
	}
	f, err := s.fetcher().Fetch(ctx, u)
	s.last = s.now()
	return f, err
}

func (s *Sources) fetcher() *Fetcher {
	t := s.Timeout
	if t <= 0 {
		t = DefaultRequestTimeout
	}
	return &Fetcher{Client: s.Client, MaxBytes: s.MaxBytes, UserAgent: s.UserAgent, Timeout: t}
}

// DefaultRequestTimeout bounds a named source's request when Sources says
// nothing else.
const DefaultRequestTimeout = 30 * time.Second

func (s *Sources) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sources) interval() time.Duration {
	if s.ArxivInterval > 0 {
		return s.ArxivInterval
	}
	return DefaultArxivInterval
}

func (s *Sources) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fetchFailed names a named source's failed request: the service, the URL,
// what the server answered and its reason, and what to do.
func fetchFailed(name, service string, err error, notFound string) error {
	var fe *FetchError
	if !errors.As(err, &fe) {
		return &SourceError{Source: name, Msg: fmt.Sprintf("%s: %v", service, err), Err: err}
	}
	msg := fmt.Sprintf("%s (%s): %s", service, ShownURL(fe.URL), fe.Msg)
	if r := serverReason(fe.Body); r != "" {
		msg += ": " + r
	}
	switch {
	case fe.Status == http.StatusTooManyRequests || fe.Status == http.StatusServiceUnavailable:
		msg += ": the service asks for fewer requests; try again later"
	case fe.Status >= 500:
		msg += ": the service is failing; try again later"
	case fe.Status == http.StatusNotFound && notFound != "":
		msg += ": " + notFound
	case fe.Status == http.StatusBadRequest:
		msg += ": the service refused the request"
	}
	return &SourceError{Source: name, Msg: msg, Err: err}
}

// serverReason is the message of a JSON error answer ({"error": "..."}),
// cleaned and cut short; "" when there is none.
func serverReason(body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, k := range []string{"error", "message", "detail"} {
		if s, ok := v[k].(string); ok {
			if s = clean(strings.ToValidUTF8(s, "\uFFFD")); s != "" {
				return strconv.Quote(short(s))
			}
		}
	}
	return ""
}
