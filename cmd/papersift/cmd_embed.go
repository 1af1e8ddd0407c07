package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func embedCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "embed",
		Usage: "embed every stored paper that lacks a vector of the active model",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "refit", Usage: "refit the built-in model on the whole corpus and re-embed everything"},
			&cli.IntFlag{Name: "batch", Value: 64, Usage: "texts per endpoint request (openai)"},
			&cli.IntFlag{Name: "concurrency", Value: 4, Usage: "endpoint requests in flight (openai)"},
		},
		Action: func(c *cli.Context) error {
			s, err := g.open(c.Context)
			if err != nil {
				return err
			}
			res, err := g.embedMissing(c.Context, s, c.Bool("refit"))
			if err != nil {
				return err
			}
			out := struct {
				Embedded int    `json:"embedded"`
				Model    string `json:"model"`
				Refitted bool   `json:"refitted"`
			}{res.Embedded, res.Model, res.Refitted}
			t := &table{head: []string{"embedded", "model", "refitted"}}
			t.add(fmt.Sprint(out.Embedded), out.Model, fmt.Sprint(out.Refitted))
			return g.emit(out, t)
		},
	}
}
