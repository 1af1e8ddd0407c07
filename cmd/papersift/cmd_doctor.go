package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func doctorCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the embedder: one real call to the endpoint, with model, dimensions, latency and what to fix",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "longest wait for the endpoint's answer"},
			&cli.StringFlag{Name: "encoding", Value: papersift.EncodingAuto, Usage: "vector encoding to try: auto, base64 or float"},
			&cli.BoolFlag{Name: "repair", Usage: "drop the damaged vectors the database check finds (papersift embed then embeds those papers again)"},
		},
		Action: func(c *cli.Context) error {
			o := papersift.DoctorOptions{Encoding: c.String("encoding"), Repair: c.Bool("repair")}
			switch o.Encoding {
			case papersift.EncodingAuto, papersift.EncodingBase64, papersift.EncodingFloat:
			default:
				return usagef("--encoding %q: use auto, base64 or float", o.Encoding)
			}
			var err error
			if o.Timeout, err = durationIn(c, "timeout"); err != nil {
				return err
			}
			if o.Repair {
				if err := g.writable(); err != nil {
					return err
				}
			}
			rep, err := g.lib.Doctor(c.Context, o)
			if rep == nil {
				return err
			}
			t := &table{head: []string{"check", "result"}, wide: map[int]int{1: 110}}
			t.add("embedder", rep.Embedder)
			if rep.BaseURL != "" {
				t.add("base URL", rep.BaseURL)
			}
			t.add("model", rep.Model)
			if rep.Identity != "" {
				t.add("identity", rep.Identity)
			}
			if rep.KeySet != nil {
				key := "not set (local servers need none)"
				if *rep.KeySet {
					key = "set (from OPENAI_API_KEY; never shown)"
				}
				t.add("API key", key)
			}
			if rep.Dimensions > 0 {
				t.add("dimensions", fmt.Sprint(rep.Dimensions))
			}
			if rep.LatencyMS > 0 {
				t.add("latency", fmt.Sprintf("%d ms", rep.LatencyMS))
			}
			if rep.Encoding != "" {
				t.add("encoding", rep.Encoding)
			}
			if rep.Stored != nil {
				t.add("stored vectors", fmt.Sprintf("%d of %d papers, %d dimensions", rep.Stored.Vectors, rep.Stored.Papers, rep.Stored.Dimensions))
			}
			for _, w := range rep.Warnings {
				t.add("warning", w)
			}
			if d := rep.Database; d != nil {
				state := fmt.Sprintf("%d vectors checked: ", d.Vectors)
				switch {
				case d.OK:
					state += "ok"
				case d.Repaired:
					state += fmt.Sprintf("%d damaged and %d orphaned vector(s) dropped", len(d.Damaged), len(d.Orphans))
				default:
					state += fmt.Sprintf("%d damaged, %d orphaned vector(s), %d integrity problem(s)", len(d.Damaged), len(d.Orphans), len(d.Integrity))
				}
				t.add("database", state)
				for _, b := range append(append([]papersift.BadVector(nil), d.Damaged...), d.Orphans...) {
					t.add("vector", fmt.Sprintf("%s of %s: %s", b.Model, b.Paper, b.Why))
				}
				for _, p := range d.Integrity {
					t.add("integrity", p)
				}
				if d.Fix != "" {
					t.add("fix", d.Fix)
				}
			}
			if rep.OK {
				t.add("status", "ok")
			} else {
				t.add("status", "FAILED: "+rep.Error)
			}
			if werr := g.emit(rep, t); werr != nil {
				return werr
			}
			if err != nil {
				return fmt.Errorf("doctor: %w", err)
			}
			return nil
		},
	}
}
