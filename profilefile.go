package papersift

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/refs"
	"github.com/papersift/papersift/store"
)

// maxProfileFile caps the size of a file profile import reads.
const maxProfileFile = 64 << 20

// ImportedPaper is a paper an import rated.
type ImportedPaper struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Rating string `json:"rating"`         // like, dislike or read
	By     string `json:"by"`             // how the entry found it: id, arxiv id, doi, title; "added" for a new paper
	Entry  string `json:"entry"`          // the entry's key in the file ("" when it has none)
	Line   int    `json:"line,omitempty"` // where the entry is
}

// NotImported is an entry an import could neither match nor add.
type NotImported struct {
	Entry string `json:"entry"` // its key, or title
	Line  int    `json:"line"`
	Why   string `json:"why"`
}

// ImportResult is what profile import did.
type ImportResult struct {
	File      string          `json:"file"`
	Format    string          `json:"format"`
	Matched   []ImportedPaper `json:"matched"`   // stored papers, now rated
	Added     []ImportedPaper `json:"added"`     // entries with their own abstract, added to the corpus and rated
	List      string          `json:"list"`      // the list the added papers are on ("" when none was added)
	NotFound  []NotImported   `json:"not_found"` // entries neither stored nor with an abstract
	Interests int             `json:"interests"` // interests added (papersift's own format)
	Embedded  int             `json:"embedded"`
}

// ImportProfile reads a reader's library: BibTeX, RIS, a Zotero CSV export,
// a plain list of arXiv ids, DOIs or titles, or papersift's own profile
// file (profile export). Each entry is matched with a stored paper by
// papersift id, arXiv id, DOI or title (when exactly one stored paper has
// it) and rated (liked, unless the profile file says otherwise); an entry
// that is not stored but carries its own abstract is added to the corpus,
// on a list named after the file, and rated; the rest are reported. The
// file is read whole before anything is written: a file that cannot be
// read fails with its line and changes nothing.
func (l *Library) ImportProfile(ctx context.Context, path string) (*ImportResult, error) {
	data, err := readCapped(path, maxProfileFile)
	if err != nil {
		return nil, err
	}
	f, err := refs.Parse(data, path)
	if err != nil {
		return nil, err
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	out := &ImportResult{File: path, Format: string(f.Format), Matched: []ImportedPaper{}, Added: []ImportedPaper{}, NotFound: []NotImported{}}
	for _, sk := range f.Skipped {
		out.NotFound = append(out.NotFound, NotImported{Entry: sk.Key, Line: sk.Line, Why: sk.Reason})
	}
	ids, err := s.Identities(ctx)
	if err != nil {
		return nil, err
	}
	m := newMatcher(ids)
	type rating struct {
		pid   int64
		kind  string
		at    string
		paper ImportedPaper
	}
	var ratings []rating
	var adds []refs.Entry
	for _, e := range f.Entries {
		kind := string(e.Rating)
		if kind == "" {
			kind = Like
		}
		ip := ImportedPaper{Title: e.Title, Rating: kind, Entry: e.Key, Line: e.Line}
		if pid, id, by := m.match(e); pid > 0 {
			ip.ID, ip.By = id, by
			ratings = append(ratings, rating{pid, kind, e.At, ip})
			continue
		}
		if strings.TrimSpace(e.Abstract) != "" && strings.TrimSpace(e.Title) != "" {
			adds = append(adds, e)
			continue
		}
		out.NotFound = append(out.NotFound, NotImported{Entry: e.Name(), Line: e.Line, Why: "not stored, and the entry has no abstract to add it with"})
	}
	if len(adds) > 0 {
		out.List = listName(path)
		rows := make([]store.Row, len(adds))
		for i, e := range adds {
			rows[i] = entryRow(e)
		}
		if _, err := s.IngestWith(ctx, []store.Batch{{List: out.List, Source: path, Papers: rows}}, store.IngestOptions{}); err != nil {
			return nil, fmt.Errorf("add the papers of %s: %w", path, err)
		}
		ids, err := s.Identities(ctx)
		if err != nil {
			return nil, err
		}
		m = newMatcher(ids)
		for _, e := range adds {
			kind := string(e.Rating)
			if kind == "" {
				kind = Like
			}
			pid, id, _ := m.match(e)
			if pid == 0 {
				return nil, fmt.Errorf("%s:%d: the paper added for %s cannot be found again", path, e.Line, e.Name())
			}
			ratings = append(ratings, rating{pid, kind, e.At, ImportedPaper{ID: id, Title: e.Title, Rating: kind, By: "added", Entry: e.Key, Line: e.Line}})
		}
	}
	for _, kind := range []string{Like, Dislike, Read} {
		var pids []int64
		var at []string
		for _, r := range ratings {
			if r.kind == kind {
				pids, at = append(pids, r.pid), append(at, r.at)
			}
		}
		if len(pids) > 0 {
			if err := s.RateAt(ctx, kind, pids, at); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range ratings {
		if r.paper.By == "added" {
			out.Added = append(out.Added, r.paper)
		} else {
			out.Matched = append(out.Matched, r.paper)
		}
	}
	for _, in := range f.Interests {
		if text := NormalizeInterest(in.Text); text != "" {
			if err := s.AddInterestAt(ctx, text, in.At); err != nil {
				return nil, err
			}
			out.Interests++
		}
	}
	if len(adds) > 0 {
		er, err := l.embedWith(ctx, s, EmbedOptions{Endpoint: EndpointTuning{Retries: -1}})
		if err != nil {
			l.warnf("the added papers are stored and rated, but embedding failed (run papersift embed): %v", err)
		} else {
			out.Embedded = er.Embedded
		}
	} else if out.Interests > 0 {
		l.cacheInterestVectors(ctx, s) // embedWith does it otherwise
	}
	return out, nil
}

// readCapped reads a file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a folder, not a file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MB: this is not a reference list", path, limit>>20)
	}
	return data, nil
}

// listName is the list of the papers an import adds: the file's name
// without its extension.
func listName(path string) string {
	n := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	n = strings.ReplaceAll(n, ",", " ")
	if CheckListName(n) != nil {
		return "imported"
	}
	return n
}

// entryRow is a paper made of a reference entry.
func entryRow(e refs.Entry) store.Row {
	p := paper.Paper{ID: paper.NormalizeID(e.ID), ArxivID: e.ArxivID, Title: strings.Join(strings.Fields(e.Title), " "),
		Abstract: strings.Join(strings.Fields(e.Abstract), " "), Authors: e.Authors, Org: e.Org, Date: e.Date, URL: e.URL,
		Category: e.Category, Links: e.Links, DOI: e.DOI}
	if p.ID == "" {
		p.ID = e.ArxivID
	}
	if p.ID == "" || p.ID == paper.TitleID(p.Title) {
		p.ID, p.DerivedID = paper.TitleID(p.Title), true
	}
	if p.URL == "" && p.ArxivID != "" {
		p.URL = "https://arxiv.org/abs/" + p.ArxivID
	}
	if p.NAuthors == nil && len(p.Authors) > 0 {
		n := len(p.Authors)
		p.NAuthors = &n
	}
	return store.Row{Paper: p, TitleKey: paper.TitleKey(p.Title), TextHash: embed.TextHash(embed.Text(p.Title, p.Abstract))}
}

// matcher finds stored papers by id, arXiv id, DOI and title.
type matcher struct {
	byID, byArxiv, byDOI map[string]store.Identity
	byTitle              map[string][]store.Identity
}

func newMatcher(ids []store.Identity) *matcher {
	m := &matcher{byID: map[string]store.Identity{}, byArxiv: map[string]store.Identity{}, byDOI: map[string]store.Identity{}, byTitle: map[string][]store.Identity{}}
	for _, x := range ids {
		m.byID[x.ID] = x
		if x.ArxivID != "" {
			m.byArxiv[x.ArxivID] = x
		}
		if x.DOI != "" {
			m.byDOI[x.DOI] = x
		}
		m.byTitle[x.TitleKey] = append(m.byTitle[x.TitleKey], x)
	}
	return m
}

// match returns the stored paper an entry names (0 when none), its id, and
// how it was found.
func (m *matcher) match(e refs.Entry) (int64, string, string) {
	if e.ID != "" {
		if x, ok := m.byID[paper.NormalizeID(e.ID)]; ok {
			return x.PID, x.ID, "id"
		}
	}
	if e.ArxivID != "" {
		if x, ok := m.byArxiv[e.ArxivID]; ok {
			return x.PID, x.ID, "arxiv id"
		}
		if x, ok := m.byID[e.ArxivID]; ok {
			return x.PID, x.ID, "arxiv id"
		}
	}
	if e.DOI != "" {
		if x, ok := m.byDOI[e.DOI]; ok {
			return x.PID, x.ID, "doi"
		}
	}
	if k := paper.TitleKey(e.Title); k != "" {
		if xs := m.byTitle[k]; len(xs) == 1 {
			return xs[0].PID, xs[0].ID, "title"
		}
	}
	return 0, "", ""
}

// Export formats.
const (
	ExportProfileFormat = "papersift" // the whole profile, which import reads back
	ExportBibTeX        = "bibtex"    // the liked papers
)

// ExportProfile writes the reader's profile to w: the whole profile (likes,
// dislikes, read marks with each paper's record, interests) in papersift's
// own format, which ImportProfile reads back into the same profile (in a
// fresh database too), or the liked papers as BibTeX.
func (l *Library) ExportProfile(ctx context.Context, w io.Writer, format string) error {
	s, err := l.db(ctx)
	if err != nil {
		return err
	}
	prof, err := s.Profile(ctx)
	if err != nil {
		return err
	}
	entries := func(rs []store.Rated, kind refs.Rating) ([]refs.Entry, error) {
		pids := make([]int64, len(rs))
		for i, r := range rs {
			pids[i] = r.PID
		}
		rows, err := s.PapersByPID(ctx, pids)
		if err != nil {
			return nil, err
		}
		byPID := make(map[int64]store.Row, len(rows))
		for _, r := range rows {
			byPID[r.PID] = r
		}
		out := make([]refs.Entry, 0, len(rs))
		for _, r := range rs {
			p := byPID[r.PID].Paper
			e := refs.Entry{Key: p.ID, ID: p.ID, ArxivID: p.ArxivID, DOI: p.DOI, Title: p.Title, Abstract: p.Abstract,
				Authors: p.Authors, Date: p.Date, URL: p.URL, Category: p.Category, Org: p.Org, Links: p.Links, Rating: kind, At: r.At}
			if len(p.Date) >= 4 {
				e.Year = p.Date[:4]
			}
			out = append(out, e)
		}
		return out, nil
	}
	likes, err := entries(prof.Likes, refs.Like)
	if err != nil {
		return err
	}
	switch format {
	case "", ExportProfileFormat:
	case ExportBibTeX:
		return refs.WriteBibTeX(w, likes)
	default:
		return optionErrorf("export format %q: give papersift (the whole profile) or bibtex (the liked papers)", format)
	}
	dislikes, err := entries(prof.Dislikes, refs.Dislike)
	if err != nil {
		return err
	}
	read, err := entries(prof.Read, refs.Read)
	if err != nil {
		return err
	}
	p := refs.Profile{Likes: likes, Dislikes: dislikes, Read: read}
	ats, err := s.InterestTimes(ctx)
	if err != nil {
		return err
	}
	for _, text := range prof.Interests {
		p.Interests = append(p.Interests, refs.Interest{Text: text, At: ats[text]})
	}
	return refs.WriteProfile(w, p)
}
