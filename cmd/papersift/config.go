package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/internal/config"
)

func configCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "the effective settings and where each comes from (flag, environment, config file, default); never a secret",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "example", Usage: "print a commented config.toml to start from"}},
		Action: func(c *cli.Context) error {
			if c.Bool("example") {
				_, err := fmt.Fprint(g.stdout, config.Example)
				return err
			}
			t := &table{head: []string{"setting", "value", "from"}, wide: map[int]int{1: 0}}
			for _, s := range g.settings {
				t.add(s.Name, s.Value, s.Origin)
			}
			if g.format == "table" {
				fmt.Fprintf(g.stdout, "configuration file: %s\n", configState(g.configFile))
			}
			return g.emit(struct {
				File     string           `json:"file"`
				Settings []config.Setting `json:"settings"`
			}{g.configFile, g.settings}, t)
		},
	}
}

func configState(path string) string {
	if path == "" {
		return "none (no HOME or XDG_CONFIG_HOME)"
	}
	if _, err := os.Stat(path); err != nil {
		return path + " (none yet: papersift config --example > " + path + ")"
	}
	return path
}
