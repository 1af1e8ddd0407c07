package main

import (
	"fmt"
	"sort"

	"github.com/urfave/cli/v2"
)

func statsCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "stats",
		Usage: "counts of papers, lists and vectors per model, and the database path",
		Action: func(c *cli.Context) error {
			out, err := g.lib.Stats(c.Context)
			if err != nil {
				return err
			}
			t := &table{head: []string{"what", "value"}}
			t.add("db", out.DB)
			t.add("papers", fmt.Sprint(out.Papers))
			t.add("lists", fmt.Sprint(out.Lists))
			switch {
			case out.Embedded:
				t.add("active model", *out.ActiveModel)
				t.add("dimensions", fmt.Sprint(*out.Dimensions))
				t.add("papers without its vector", fmt.Sprint(*out.Missing))
			case out.ActiveModel != nil:
				t.add("active model", *out.ActiveModel+" (nothing embedded yet)")
			default:
				t.add("active model", "(nothing embedded yet)")
			}
			names := make([]string, 0, len(out.Vectors))
			for n := range out.Vectors {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				t.add("vectors "+n, fmt.Sprint(out.Vectors[n]))
			}
			return g.emit(out, t)
		},
	}
}
