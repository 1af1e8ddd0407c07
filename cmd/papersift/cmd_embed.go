package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/embed"
)

// endpointFlags tune embedding through an endpoint.
func endpointFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "batch", Value: embed.DefaultBatchSize, Usage: "most texts in one endpoint request (openai)"},
		&cli.IntFlag{Name: "batch-tokens", Value: embed.DefaultBatchTokens, Usage: "most estimated tokens in one endpoint request (openai)"},
		&cli.IntFlag{Name: "max-input-tokens", Value: embed.DefaultMaxInputTokens, Usage: "the model's input limit; longer texts are cut, with a note (openai)"},
		&cli.IntFlag{Name: "concurrency", Value: embed.DefaultConcurrency, Usage: "endpoint requests in flight (openai)"},
		&cli.IntFlag{Name: "retries", Value: embed.DefaultMaxTries - 1, Usage: "retries of a request that failed with 429, 5xx, a timeout or a dropped connection (openai)"},
		&cli.DurationFlag{Name: "timeout", Value: embed.DefaultTimeout, Usage: "longest wait for one answer (openai)"},
		&cli.StringFlag{Name: "encoding", Value: embed.EncodingAuto, Usage: "vector encoding asked of the endpoint: auto (base64, float if refused), base64 or float (env PAPERSIFT_ENCODING)"},
	}
}

// readEndpoint reads endpointFlags, checking them.
func readEndpoint(c *cli.Context, getenv func(string) string) (endpointOpts, error) {
	o := endpointOpts{
		Batch:          c.Int("batch"),
		BatchTokens:    c.Int("batch-tokens"),
		MaxInputTokens: c.Int("max-input-tokens"),
		Concurrency:    c.Int("concurrency"),
		Retries:        c.Int("retries"),
		Timeout:        c.Duration("timeout"),
		Encoding:       c.String("encoding"),
	}
	if !c.IsSet("encoding") && getenv("PAPERSIFT_ENCODING") != "" {
		o.Encoding = getenv("PAPERSIFT_ENCODING")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"batch", o.Batch}, {"batch-tokens", o.BatchTokens}, {"max-input-tokens", o.MaxInputTokens}, {"concurrency", o.Concurrency}} {
		if f.v <= 0 {
			return o, usagef("--%s must be positive", f.name)
		}
	}
	if o.Retries < 0 {
		return o, usagef("--retries must be 0 or more")
	}
	if o.Timeout <= 0 {
		return o, usagef("--timeout must be positive (e.g. 30s)")
	}
	switch o.Encoding {
	case embed.EncodingAuto, embed.EncodingBase64, embed.EncodingFloat:
	default:
		return o, usagef("--encoding %q: use auto, base64 or float", o.Encoding)
	}
	return o, nil
}

type embedJSON struct {
	Embedded  int           `json:"embedded"`
	Model     string        `json:"model"`
	Refitted  bool          `json:"refitted"`
	Failed    []failedPaper `json:"failed"`
	Truncated []string      `json:"truncated"`
	Requests  int           `json:"requests"`
	Retries   int           `json:"retries"`
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
			ep, err := readEndpoint(c, g.getenv)
			if err != nil {
				return err
			}
			return runEmbed(c.Context, g, embedOpts{Refit: c.Bool("refit"), Endpoint: ep}, g.stdout)
		},
	}
}

// runEmbed embeds what is missing and prints what it did, also when some
// papers failed (the error then says which).
func runEmbed(ctx context.Context, g *globals, o embedOpts, out io.Writer) error {
	s, err := g.open(ctx)
	if err != nil {
		return err
	}
	res, err := g.embedWith(ctx, s, o)
	var partial *embedFailures
	if err != nil && !errors.As(err, &partial) {
		return err
	}
	j := embedJSON{Embedded: res.Embedded, Model: res.Model, Refitted: res.Refitted, Failed: res.Failed, Truncated: res.Truncated, Requests: res.Requests, Retries: res.Retries}
	if j.Failed == nil {
		j.Failed = []failedPaper{}
	}
	if j.Truncated == nil {
		j.Truncated = []string{}
	}
	t := &table{head: []string{"what", "value"}, wide: map[int]int{1: 100}}
	t.add("embedded", fmt.Sprint(j.Embedded))
	t.add("model", j.Model)
	if g.embedder == localKind {
		t.add("refitted", fmt.Sprint(j.Refitted))
	} else {
		t.add("requests", fmt.Sprintf("%d (%d retried)", j.Requests, j.Retries))
	}
	if len(j.Truncated) > 0 {
		t.add("cut to the input limit", strings.Join(j.Truncated, ", "))
	}
	for _, f := range j.Failed {
		t.add("failed "+f.ID, f.Error)
	}
	if werr := writeFormat(out, g.format, j, t); werr != nil {
		return werr
	}
	return err
}
