package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/store"
)

// doctorText is what doctor embeds: short and harmless.
const doctorText = "papersift doctor: checking that this endpoint embeds text."

type doctorStored struct {
	Vectors    int `json:"vectors"`
	Dimensions int `json:"dimensions"`
	Papers     int `json:"papers"`
}

type doctorJSON struct {
	OK         bool          `json:"ok"`
	Embedder   string        `json:"embedder"`
	BaseURL    string        `json:"base_url,omitempty"`
	Model      string        `json:"model"`
	Identity   string        `json:"identity,omitempty"`
	KeySet     *bool         `json:"key_set,omitempty"`
	Dimensions int           `json:"dimensions,omitempty"`
	LatencyMS  int64         `json:"latency_ms,omitempty"`
	Encoding   string        `json:"encoding,omitempty"`
	Stored     *doctorStored `json:"stored"`
	Warnings   []string      `json:"warnings"`
	Error      string        `json:"error,omitempty"`
}

type doctorOpts struct {
	Timeout  time.Duration
	Encoding string
}

func doctorCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the embedder: one real call to the endpoint, with model, dimensions, latency and what to fix",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "longest wait for the endpoint's answer"},
			&cli.StringFlag{Name: "encoding", Value: embed.EncodingAuto, Usage: "vector encoding to try: auto, base64 or float"},
		},
		Action: func(c *cli.Context) error {
			o := doctorOpts{Timeout: c.Duration("timeout"), Encoding: c.String("encoding")}
			if o.Timeout <= 0 {
				return usagef("--timeout must be positive (e.g. 30s)")
			}
			return runDoctor(c.Context, g, o, g.stdout)
		},
	}
}

// runDoctor checks the active embedder and prints a report; the error says
// what failed and what to do.
func runDoctor(ctx context.Context, g *globals, o doctorOpts, out io.Writer) error {
	rep := doctorJSON{Embedder: g.embedder, Warnings: []string{}}
	var err error
	if g.embedder == openaiKind {
		err = g.doctorEndpoint(ctx, o, &rep)
	} else {
		err = g.doctorLocal(ctx, &rep)
	}
	rep.OK = err == nil
	if err != nil {
		rep.Error = err.Error()
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
	if werr := writeFormat(out, g.format, rep, t); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	return nil
}

// doctorStore opens the database if it exists (doctor creates none).
func (g *globals) doctorStore(ctx context.Context) (*store.Store, error) {
	if _, err := os.Stat(g.db); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return g.open(ctx)
}

func (g *globals) doctorLocal(ctx context.Context, rep *doctorJSON) error {
	rep.Model = "built-in (TF-IDF + SVD, offline)"
	s, err := g.doctorStore(ctx)
	if err != nil || s == nil {
		if s == nil && err == nil {
			rep.Warnings = append(rep.Warnings, "no database yet: run papersift ingest")
		}
		return err
	}
	m, err := s.LatestModel(ctx, localKind)
	if errors.Is(err, store.ErrNotFound) {
		rep.Warnings = append(rep.Warnings, "the built-in model is not fitted yet: run papersift embed")
		return nil
	}
	if err != nil {
		return err
	}
	rep.Model, rep.Dimensions = m.Name, m.Dim
	return g.doctorStored(ctx, s, m, rep)
}

func (g *globals) doctorStored(ctx context.Context, s *store.Store, m *store.Model, rep *doctorJSON) error {
	counts, err := s.VectorCounts(ctx)
	if err != nil {
		return err
	}
	n, err := s.Count(ctx)
	if err != nil {
		return err
	}
	rep.Stored = &doctorStored{Vectors: counts[m.Name], Dimensions: m.Dim, Papers: n}
	return nil
}

func (g *globals) doctorEndpoint(ctx context.Context, o doctorOpts, rep *doctorJSON) error {
	keySet := g.apiKey != ""
	rep.KeySet = &keySet
	rep.Model = g.model
	rep.Identity = g.endpointModel()
	rep.BaseURL = embed.RedactURL(g.baseURL) // userinfo and query values hidden
	if u, err := url.Parse(g.baseURL); err == nil {
		host := u.Hostname()
		if keySet && u.Scheme == "http" && !isLoopback(host) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("the key is sent unencrypted over http to %s: use https", host))
		}
		if keySet && u.Scheme == "https" && host != "api.openai.com" && strings.Contains(host, "openai.com") {
			rep.Warnings = append(rep.Warnings, "an unusual openai.com host: check --base-url")
		}
	}
	if !keySet && strings.Contains(strings.ToLower(g.baseURL), "api.openai.com") {
		rep.Warnings = append(rep.Warnings, "OpenAI needs a key: set OPENAI_API_KEY")
	}
	s, err := g.doctorStore(ctx)
	if err != nil {
		return err
	}
	var m *store.Model
	if s != nil {
		if m, err = s.Model(ctx, rep.Identity); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	dim := 0
	if m != nil {
		dim = m.Dim
		if err := g.doctorStored(ctx, s, m, rep); err != nil {
			return err
		}
	}
	c, err := g.newEndpoint(endpointOpts{Retries: 0, Timeout: o.Timeout, Encoding: o.Encoding}, 0, nil, g.stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	vs, err := c.Embed(ctx, []string{doctorText})
	if err != nil {
		return err
	}
	rep.LatencyMS = max(time.Since(start).Milliseconds(), 1)
	rep.Dimensions = len(vs[0])
	rep.Encoding = c.Encoding()
	if c.Encoding() == embed.EncodingFloat && o.Encoding == embed.EncodingAuto {
		rep.Warnings = append(rep.Warnings, "the endpoint refuses base64 vectors: set PAPERSIFT_ENCODING=float to save a request per run")
	}
	if dim > 0 && dim != rep.Dimensions {
		return fmt.Errorf("the endpoint now returns %d dimensions, but the %d vectors stored for %s have %d: has the model behind --model changed? use another --model name, or --dimensions",
			rep.Dimensions, rep.Stored.Vectors, rep.Identity, dim)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
