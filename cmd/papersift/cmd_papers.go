package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/store"
)

// paperJSON is the contract's paper.
type paperJSON struct {
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
	Links    []string `json:"links"`
	Lists    []string `json:"lists"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toPaperJSON(p store.Paper) paperJSON {
	j := paperJSON{ID: p.ID, Title: p.Title, Abstract: p.Abstract, Authors: p.Authors, NAuthors: p.NAuthors,
		Org: strPtr(p.Org), Date: strPtr(p.Date), Comments: p.Comments, Upvotes: p.Upvotes, URL: strPtr(p.URL),
		ArxivID: strPtr(p.ArxivID), Category: strPtr(p.Category), Links: p.Links, Lists: p.Lists}
	if j.Authors == nil {
		j.Authors = []string{}
	}
	if j.Links == nil {
		j.Links = []string{}
	}
	if j.Lists == nil {
		j.Lists = []string{}
	}
	return j
}

type filterOpts struct {
	List  string
	Since string
	All   bool
}

func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "list", Usage: "only papers on this list"},
		&cli.StringFlag{Name: "since", Usage: "only papers dated on or after this day (YYYY-MM-DD)"},
	}
}

func readFilter(c *cli.Context) (filterOpts, error) {
	f := filterOpts{List: c.String("list"), Since: c.String("since")}
	if f.Since != "" && !isDate(f.Since) {
		return f, usagef("--since %q: give a day as YYYY-MM-DD", f.Since)
	}
	return f, nil
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// checkList fails clearly for a list that does not exist.
func checkList(ctx context.Context, s *store.Store, name string) error {
	if name == "" {
		return nil
	}
	ok, err := s.ListExists(ctx, name)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	ls, err := s.Lists(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("no list %q: nothing has been ingested yet", name)
	}
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return fmt.Errorf("no list %q (lists: %s)", name, strings.Join(names, ", "))
}

func papersCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "papers",
		Usage: "list stored papers",
		Flags: append(filterFlags(), &cli.IntFlag{Name: "limit", Usage: "at most this many papers"}),
		Action: func(c *cli.Context) error {
			f, err := readFilter(c)
			if err != nil {
				return err
			}
			if c.Int("limit") < 0 {
				return usagef("--limit must be positive")
			}
			s, err := g.open(c.Context)
			if err != nil {
				return err
			}
			if err := checkList(c.Context, s, f.List); err != nil {
				return err
			}
			ps, err := s.Papers(c.Context, store.Filter{List: f.List, Since: f.Since, Limit: c.Int("limit")})
			if err != nil {
				return err
			}
			out := make([]paperJSON, len(ps))
			t := &table{head: []string{"id", "date", "title", "authors", "lists"}, wide: map[int]int{2: 70}}
			for i, p := range ps {
				out[i] = toPaperJSON(p)
				t.add(p.ID, p.Date, p.Title, byline(p), strings.Join(p.Lists, ","))
			}
			return g.emit(out, t)
		},
	}
}

// byline is who wrote a paper, in a few words.
func byline(p store.Paper) string {
	switch {
	case len(p.Authors) == 1:
		return p.Authors[0]
	case len(p.Authors) == 2:
		return p.Authors[0] + ", " + p.Authors[1]
	case len(p.Authors) > 2:
		return p.Authors[0] + " et al."
	case p.Org != "":
		return p.Org
	case p.NAuthors != nil:
		if *p.NAuthors == 1 {
			return "1 author"
		}
		return fmt.Sprintf("%d authors", *p.NAuthors)
	}
	return ""
}
