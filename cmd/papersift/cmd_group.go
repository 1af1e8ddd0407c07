package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/textout"
)

func groupCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "group",
		Usage: "cluster papers into topics (k-means) with readable labels",
		Flags: append(scopeFlags(),
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of clusters (more than the papers: one per paper), or auto: from 2 to sqrt(n/2) (at most 20), the largest k whose silhouette is within 0.04 of the best"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed: same data, same seed, same clusters"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := papersift.GroupOptions{Scope: f, Seed: c.Uint64("seed")}
			if g.format == "table" && (f.All || f.Since != "") {
				o.TitlesFor = groupSummary // the table shows these only
			}
			if o.K, err = parseK(c.String("k")); err != nil {
				return err
			}
			res, err := g.lib.Group(c.Context, o)
			if err != nil {
				return err
			}
			return g.printGroup(res)
		},
	}
}

// groupSummary is the number of papers per topic the table shows of --all
// or --since.
const groupSummary = 10

// digestK is the digest's -k: the flag's, else the configuration file's
// [digest] k (a wrong value there names the file: exit 1, not wrong usage).
func (g *globals) digestK(c *cli.Context) (int, error) {
	if c.IsSet("k") || g.file.Digest.K == nil {
		return parseK(c.String("k"))
	}
	k, err := parseK(fmt.Sprint(g.file.Digest.K))
	if err != nil {
		return 0, fmt.Errorf("%s: [digest] k = %v: give a positive number or \"auto\"", g.configFile, g.file.Digest.K)
	}
	return k, nil
}

func parseK(s string) (int, error) {
	if s == "auto" || s == "" {
		return 0, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k <= 0 {
		return 0, usagef("-k %q: give a positive number or auto", s)
	}
	return k, nil
}

func (g *globals) printGroup(r *papersift.Groups) error {
	switch g.format {
	case "json":
		if isTerminal(g.stdout) || r.Clusters == nil {
			return writeJSON(g.stdout, r)
		}
		return writeGroupJSON(g.stdout, r)
	case "table":
		limit := 0
		if r.List == "" {
			limit = groupSummary // --all or --since: the topics, not every paper
		}
		return writeGroupText(g.stdout, r, limit, g.textWidth())
	}
	t := &table{head: []string{"cluster", "label", "rank", "id", "title", "score"}}
	for _, c := range r.Clusters {
		for i, p := range c.Papers {
			t.add(fmt.Sprint(c.ID), c.Label, fmt.Sprint(i+1), p.ID, p.Title, score(p.Score))
		}
	}
	return g.emit(r, t)
}

// writeGroupJSON writes r as writeJSON does off a terminal (compact), one
// cluster at a time: 65,000 papers make 8 MB of JSON, which one buffer
// would hold whole (and grow by copies) before a byte is written. The
// clusters are encoded on every core, a few ahead of the writer (27 -> 15 ms
// for 65,000 papers).
func writeGroupJSON(w io.Writer, r *papersift.Groups) error {
	shell := *r
	shell.Clusters = nil
	var b bytes.Buffer
	if err := textout.WriteJSON(&b, &shell, false); err != nil {
		return err
	}
	// a quote inside a string is escaped, so this is the field itself
	const mark = `"clusters":null`
	at := bytes.Index(b.Bytes(), []byte(mark))
	if at < 0 {
		return writeJSON(w, r)
	}
	type encoded struct {
		buf *bytes.Buffer
		b   []byte
		err error
	}
	n := len(r.Clusters)
	done := make([]chan encoded, n)
	for i := range done {
		done[i] = make(chan encoded, 1)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	ahead := make(chan struct{}, 2*workers) // clusters encoded but not yet written
	// buffers written out, for the next clusters (a million papers' JSON
	// in new buffers left 0.1 GB more garbage)
	free := make(chan *bytes.Buffer, 3*workers)
	stop := make(chan struct{})
	defer close(stop)
	var next atomic.Int64
	for range workers {
		go func() {
			for {
				select {
				case ahead <- struct{}{}:
				case <-stop:
					return
				}
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				var cb *bytes.Buffer
				select {
				case cb = <-free:
					cb.Reset()
				default:
					cb = new(bytes.Buffer)
				}
				err := textout.WriteJSON(cb, &r.Clusters[i], false)
				done[i] <- encoded{cb, bytes.TrimSuffix(cb.Bytes(), []byte("\n")), err}
			}
		}()
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b.Bytes()[:at])
	bw.WriteString(`"clusters":[`)
	for i := range n {
		e := <-done[i]
		<-ahead
		if e.err != nil {
			return e.err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(e.b) // written (or copied) before it returns
		select {
		case free <- e.buf:
		default:
		}
	}
	bw.WriteByte(']')
	bw.Write(b.Bytes()[at+len(mark):])
	return bw.Flush()
}

// writeGroupText prints clusters for people: a heading per cluster, then its
// papers, closest to the centre first (at most limit per cluster; 0: all),
// titles cut to a terminal's width (0: not cut).
func writeGroupText(w io.Writer, r *papersift.Groups, limit, width int) error {
	var b strings.Builder
	if r.Note != "" {
		fmt.Fprintf(&b, "Note: %s (silhouette %.2f).\n\n", r.Note, r.Silhouette)
	}
	for i, c := range r.Clusters {
		if i > 0 {
			b.WriteString("\n")
		}
		loose := ""
		if c.Weak {
			loose = ", a loose group"
		}
		fmt.Fprintf(&b, "## %s  (%d %s%s)\n", c.Label, c.Size, plural(c.Size, "paper", "papers"), loose)
		if len(c.Terms) > 3 {
			fmt.Fprintf(&b, "   also: %s\n", strings.Join(c.Terms[3:], ", "))
		}
		for j, p := range c.Papers {
			if limit > 0 && j == limit {
				fmt.Fprintf(&b, "   ... and %d more (--format json or csv lists them all)\n", len(c.Papers)-limit)
				break
			}
			fmt.Fprintf(&b, "   %s  %s  %s\n", score(p.Score), p.ID, fitTitle(p.Title, width, 5+len(p.ID)+4+3))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
