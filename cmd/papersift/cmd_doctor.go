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
		},
		Action: func(c *cli.Context) error {
			o := papersift.DoctorOptions{Timeout: c.Duration("timeout"), Encoding: c.String("encoding")}
			if o.Timeout <= 0 {
				return usagef("--timeout must be positive (e.g. 30s)")
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
