package main

import (
	"errors"
	"fmt"
	"sort"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/store"
)

func statsCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "counts of papers, lists and vectors per model, and the database path",
		Action: func(c *cli.Context) error {
			s, err := g.open(c.Context)
			if err != nil {
				return err
			}
			st, err := s.Stats(c.Context)
			if err != nil {
				return err
			}
			out := struct {
				DB          string         `json:"db"`
				Papers      int            `json:"papers"`
				Lists       int            `json:"lists"`
				ActiveModel *string        `json:"active_model"`
				Dimensions  *int           `json:"dimensions"`
				Vectors     map[string]int `json:"vectors"`
				Missing     *int           `json:"missing"`
			}{DB: s.Path(), Papers: st.Papers, Lists: st.Lists, Vectors: st.Vectors}
			m, err := g.activeModel(c.Context, s)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if m != nil {
				out.ActiveModel, out.Dimensions = &m.Name, &m.Dim
				miss := st.Papers - st.Vectors[m.Name]
				out.Missing = &miss
			} else if name := g.activeModelName(); name != "" {
				out.ActiveModel, out.Missing = &name, &st.Papers
			}
			t := &table{head: []string{"what", "value"}}
			t.add("db", out.DB)
			t.add("papers", fmt.Sprint(out.Papers))
			t.add("lists", fmt.Sprint(out.Lists))
			if m != nil {
				t.add("active model", m.Name)
				t.add("dimensions", fmt.Sprint(m.Dim))
				t.add("papers without its vector", fmt.Sprint(*out.Missing))
			} else if out.ActiveModel != nil {
				t.add("active model", *out.ActiveModel+" (nothing embedded yet)")
			} else {
				t.add("active model", "(nothing embedded yet)")
			}
			names := make([]string, 0, len(st.Vectors))
			for n := range st.Vectors {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				t.add("vectors "+n, fmt.Sprint(st.Vectors[n]))
			}
			return g.emit(out, t)
		},
	}
}
