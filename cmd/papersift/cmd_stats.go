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
				if ix := out.Index; ix != nil {
					switch ix.State {
					case "current":
						t.add("similarity index", fmt.Sprintf("%s (%d papers, %.1f MB)", ix.Path, ix.Papers, float64(ix.Bytes)/1e6))
					case "none":
						t.add("similarity index", fmt.Sprintf("none: similar reads every vector (an index is kept from %d papers)", ix.From))
					default:
						t.add("similarity index", ix.State+": the next similar rebuilds it ("+ix.Path+")")
					}
				}
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
