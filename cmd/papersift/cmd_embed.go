package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

// endpointFlags tune embedding through an endpoint.
func endpointFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "batch", Value: papersift.DefaultBatch, Usage: "most texts in one endpoint request (openai)"},
		&cli.IntFlag{Name: "batch-tokens", Value: papersift.DefaultBatchTokens, Usage: "most estimated tokens in one endpoint request (openai)"},
		&cli.IntFlag{Name: "max-input-tokens", Value: papersift.DefaultMaxInputTokens, Usage: "the model's input limit; longer texts are cut, with a note (openai)"},
		&cli.IntFlag{Name: "concurrency", Value: papersift.DefaultConcurrency, Usage: "endpoint requests in flight (openai)"},
		&cli.IntFlag{Name: "retries", Value: papersift.DefaultRetries, Usage: "retries of a request that failed with 429, 5xx, a timeout or a dropped connection (openai)"},
		&cli.DurationFlag{Name: "timeout", Value: papersift.DefaultRequestTimeout, Usage: "longest wait for one answer (openai)"},
		&cli.StringFlag{Name: "encoding", Value: papersift.EncodingAuto, Usage: "vector encoding asked of the endpoint: auto (base64, float if refused), base64 or float (env PAPERSIFT_ENCODING)"},
	}
}

// readEndpoint reads endpointFlags, checking them.
func readEndpoint(c *cli.Context, g *globals) (papersift.EndpointTuning, error) {
	o := papersift.EndpointTuning{Encoding: c.String("encoding")}
	if !c.IsSet("encoding") {
		o.Encoding = g.cfg.Endpoint.Encoding // environment, configuration file or auto
	}
	for _, f := range []struct {
		name   string
		dst    *int
		lo, hi int
	}{{"batch", &o.Batch, 1, maxBatch}, {"batch-tokens", &o.BatchTokens, 1, maxTokens}, {"max-input-tokens", &o.MaxInputTokens, 1, maxTokens},
		{"concurrency", &o.Concurrency, 1, maxConcurrency}, {"retries", &o.Retries, 0, maxRetries}} {
		v, err := intIn(c, f.name, f.lo, f.hi)
		if err != nil {
			return o, err
		}
		*f.dst = v
	}
	var err error
	if o.Timeout, err = durationIn(c, "timeout"); err != nil {
		return o, err
	}
	switch o.Encoding {
	case papersift.EncodingAuto, papersift.EncodingBase64, papersift.EncodingFloat:
	default:
		return o, usagef("--encoding %q: use auto, base64 or float", o.Encoding)
	}
	return o, nil
}

func embedCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "embed",
		Usage: "embed every stored paper that lacks a vector of the active model",
		Description: "Resumable: each batch is stored as it finishes, so an interrupted run (Ctrl-C) keeps its\n" +
			"work and the next run sends only the rest. Through an endpoint (--embedder openai), a paper\n" +
			"the endpoint refuses is named and skipped, every other paper is embedded, and the exit code is 1.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "refit", Usage: "refit the built-in model on the whole corpus and re-embed everything"},
		}, endpointFlags()...),
		Action: func(c *cli.Context) error {
			ep, err := readEndpoint(c, g)
			if err != nil {
				return err
			}
			res, err := g.lib.Embed(c.Context, papersift.EmbedOptions{Refit: c.Bool("refit"), Endpoint: ep})
			var partial *papersift.EmbedFailures
			if err != nil && !errors.As(err, &partial) {
				return err
			}
			// what was done is printed also when some papers failed (the
			// error then says which)
			t := &table{head: []string{"what", "value"}, wide: map[int]int{1: 100}}
			t.add("embedded", fmt.Sprint(res.Embedded))
			t.add("model", res.Model)
			if g.cfg.Embedder == papersift.EmbedderLocal {
				t.add("refitted", fmt.Sprint(res.Refitted))
			} else {
				t.add("requests", fmt.Sprintf("%d (%d retried)", res.Requests, res.Retries))
			}
			if len(res.Truncated) > 0 {
				t.add("cut to the input limit", strings.Join(res.Truncated, ", "))
			}
			for _, f := range res.Failed {
				t.add("failed "+f.ID, f.Error)
			}
			if werr := g.emit(res, t); werr != nil {
				return werr
			}
			return err
		},
	}
}
