package papersift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/store"
)

// ListedPaper is a stored paper and the lists it is on.
type ListedPaper struct {
	paper.Paper
	Lists []string
}

// listedJSON is the contract's paper: absent values are null or empty.
type listedJSON struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Abstract string   `json:"abstract"`
	Authors  []string `json:"authors"`
	NAuthors *int     `json:"n_authors"`
	Org      *string  `json:"org"`
	Date     *string  `json:"date"`
	Comments *int     `json:"comments"`
	Upvotes  *int     `json:"upvotes"`
	URL      *string  `json:"url"`
	ArxivID  *string  `json:"arxiv_id"`
	Category *string  `json:"category"`
	DOI      *string  `json:"doi"`
	Journal  *string  `json:"journal_ref"`
	Links    []string `json:"links"`
	Lists    []string `json:"lists"`
}

// MarshalJSON writes the contract's shape of a paper.
func (p ListedPaper) MarshalJSON() ([]byte, error) {
	j := listedJSON{ID: p.ID, Title: p.Title, Abstract: p.Abstract, Authors: p.Authors, NAuthors: p.NAuthors,
		Org: strPtr(p.Org), Date: strPtr(p.Date), Comments: p.Comments, Upvotes: p.Upvotes, URL: strPtr(p.URL),
		ArxivID: strPtr(p.ArxivID), Category: strPtr(p.Category), DOI: strPtr(p.DOI), Journal: strPtr(p.Journal), Links: p.Links, Lists: p.Lists}
	if j.Authors == nil {
		j.Authors = []string{}
	}
	if j.Links == nil {
		j.Links = []string{}
	}
	if j.Lists == nil {
		j.Lists = []string{}
	}
	return marshalNoEscape(j)
}

// marshalNoEscape is json.Marshal without escaping <, > and & (titles keep
// them, as the command line's encoder writes them).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *ListedPaper) UnmarshalJSON(data []byte) error {
	var j listedJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	*p = ListedPaper{Paper: paper.Paper{ID: j.ID, Title: j.Title, Abstract: j.Abstract, Authors: j.Authors, NAuthors: j.NAuthors,
		Org: deref(j.Org), Date: deref(j.Date), Comments: j.Comments, Upvotes: j.Upvotes, URL: deref(j.URL),
		ArxivID: deref(j.ArxivID), Category: deref(j.Category), DOI: deref(j.DOI), Journal: deref(j.Journal), Links: j.Links}, Lists: j.Lists}
	return nil
}

// PapersOptions choose stored papers.
type PapersOptions struct {
	Scope Scope // List or Since; the zero Scope is every paper
	Limit int   // at most this many (0: all)
}

// Papers lists stored papers.
func (l *Library) Papers(ctx context.Context, o PapersOptions) ([]ListedPaper, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkLists(ctx, s, o.Scope.Lists); err != nil {
		return nil, err
	}
	rows, err := s.Papers(ctx, store.Filter{Lists: o.Scope.Lists, Since: o.Scope.Since, Limit: o.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]ListedPaper, len(rows))
	for i, r := range rows {
		out[i] = ListedPaper{Paper: r.Paper, Lists: r.Lists}
	}
	return out, nil
}

// Stats are counts of what the database holds.
type Stats struct {
	DB          string         `json:"db"`
	Papers      int            `json:"papers"`
	Lists       int            `json:"lists"`
	ActiveModel *string        `json:"active_model"`
	Dimensions  *int           `json:"dimensions"`
	Vectors     map[string]int `json:"vectors"`
	Missing     *int           `json:"missing"` // papers without a vector of the active model
	// Index is the similarity index's state (nil when nothing is embedded).
	Index *IndexState `json:"similarity_index"`
	// Embedded: something is embedded with the active model.
	Embedded bool `json:"-"`
}

// IndexState says whether similar reads the similarity index.
type IndexState struct {
	Path string `json:"path"`
	// State is "current", "none" (fewer vectors than it needs: similar
	// reads them all), "out of date" or "damaged" (the next similar, or
	// the next embedding, rebuilds it).
	State  string `json:"state"`
	Papers int    `json:"papers"` // the papers it holds, when current
	Bytes  int64  `json:"bytes"`  // the file's size, when there is one
	// From is the number of vectors from which an index is kept.
	From int `json:"from"`
}

// Stats counts papers, lists and vectors per model.
func (l *Library) Stats(ctx context.Context) (*Stats, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return nil, err
	}
	out := &Stats{DB: s.Path(), Papers: st.Papers, Lists: st.Lists, Vectors: st.Vectors}
	m, err := l.activeModel(ctx, s)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if m != nil {
		out.ActiveModel, out.Dimensions, out.Embedded = &m.Name, &m.Dim, true
		miss := st.Papers - st.Vectors[m.Name]
		out.Missing = &miss
		out.Index = l.indexState(ctx, s, m, st.Vectors[m.Name])
	} else if name := l.activeModelName(); name != "" {
		out.ActiveModel, out.Missing = &name, &st.Papers
	}
	return out, nil
}
