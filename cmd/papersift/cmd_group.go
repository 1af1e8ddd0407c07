package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/store"
)

type groupOpts struct {
	Filter filterOpts
	K      int // 0: auto
	Seed   uint64
}

type groupJSON struct {
	K        int           `json:"k"`
	List     string        `json:"list,omitempty"`
	Model    string        `json:"model"`
	Auto     *autoJSON     `json:"auto,omitempty"`
	Clusters []clusterJSON `json:"clusters"`
	Missing  int           `json:"missing"`
}

type autoJSON struct {
	Silhouette float64 `json:"silhouette"`
	Tried      []int   `json:"tried"`
}

type clusterJSON struct {
	ID     int       `json:"id"`
	Label  string    `json:"label"`
	Terms  []string  `json:"terms"`
	Size   int       `json:"size"`
	Papers []hitJSON `json:"papers"`
}

func scopeFlags() []cli.Flag {
	return append(filterFlags(), &cli.BoolFlag{Name: "all", Usage: "every stored paper"})
}

func readScope(c *cli.Context) (filterOpts, error) {
	f, err := readFilter(c)
	if err != nil {
		return f, err
	}
	f.All = c.Bool("all")
	n := 0
	for _, set := range []bool{f.List != "", f.Since != "", f.All} {
		if set {
			n++
		}
	}
	if n > 1 {
		return f, usagef("give one of --list, --since and --all")
	}
	return f, nil
}

func groupCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "group",
		Usage: "cluster papers into topics (k-means) with readable labels",
		Flags: append(scopeFlags(),
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of clusters, or auto (chosen by silhouette)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed: same data, same seed, same clusters"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := groupOpts{Filter: f, Seed: c.Uint64("seed")}
			if o.K, err = parseK(c.String("k")); err != nil {
				return err
			}
			res, err := runGroup(c.Context, g, o)
			if err != nil {
				return err
			}
			return g.printGroup(res)
		},
	}
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

// defaultList is the most recently ingested list.
func defaultList(ctx context.Context, s *store.Store) (string, error) {
	ls, err := s.Lists(ctx)
	if err != nil {
		return "", err
	}
	if len(ls) == 0 {
		return "", fmt.Errorf("nothing has been ingested yet: papersift ingest FILE")
	}
	return ls[0].Name, nil
}

// selection is the papers of a scope that have vectors, sorted by id so that
// results never depend on storage order.
type selection struct {
	rows    []int // rows of the matrix
	pids    []int64
	ids     []string
	missing int
}

func selectRows(ctx context.Context, s *store.Store, mat *store.Matrix, f filterOpts) (*selection, error) {
	var want map[int64]bool
	if !f.All && (f.List != "" || f.Since != "") {
		pids, err := s.PIDs(ctx, store.Filter{List: f.List, Since: f.Since})
		if err != nil {
			return nil, err
		}
		want = make(map[int64]bool, len(pids))
		for _, p := range pids {
			want[p] = true
		}
	}
	ids, err := s.IDs(ctx)
	if err != nil {
		return nil, err
	}
	sel := &selection{}
	have := 0
	for i, pid := range mat.PIDs {
		if want != nil && !want[pid] {
			continue
		}
		have++
		sel.rows = append(sel.rows, i)
	}
	sort.Slice(sel.rows, func(a, b int) bool { return ids[mat.PIDs[sel.rows[a]]] < ids[mat.PIDs[sel.rows[b]]] })
	for _, r := range sel.rows {
		sel.pids = append(sel.pids, mat.PIDs[r])
		sel.ids = append(sel.ids, ids[mat.PIDs[r]])
	}
	if want != nil {
		sel.missing = len(want) - have
	} else {
		sel.missing = len(ids) - have
	}
	return sel, nil
}

// labelSample caps the papers per cluster that its label is computed from
// (the closest to the centroid).
const labelSample = 200

func runGroup(ctx context.Context, g *globals, o groupOpts) (*groupJSON, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	f := o.Filter
	if !f.All && f.List == "" && f.Since == "" {
		if f.List, err = defaultList(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := checkList(ctx, s, f.List); err != nil {
		return nil, err
	}
	mat, err := g.activeMatrix(ctx, s)
	if err != nil {
		return nil, err
	}
	sel, err := selectRows(ctx, s, mat, f)
	if err != nil {
		return nil, err
	}
	if sel.missing > 0 {
		g.notef("note: %d paper(s) have no vector of %s and are left out: run papersift embed", sel.missing, mat.Model)
	}
	if len(sel.rows) == 0 {
		return nil, fmt.Errorf("no embedded papers to group (run papersift embed)")
	}
	data := make([]float32, 0, len(sel.rows)*mat.Dim)
	for _, r := range sel.rows {
		data = append(data, mat.Row(r)...)
	}
	km := cluster.KMeans{K: o.K, Seed: o.Seed}
	out := &groupJSON{List: f.List, Model: mat.Model, Missing: sel.missing}
	var res *cluster.Result
	if o.K == 0 {
		ch, err := cluster.AutoK{KMeans: km}.Fit(ctx, data, mat.Dim)
		if err != nil {
			return nil, err
		}
		res = ch.Result
		out.Auto = &autoJSON{Silhouette: round3(ch.Score)}
		for k := range ch.Scores {
			out.Auto.Tried = append(out.Auto.Tried, k)
		}
		sort.Ints(out.Auto.Tried)
		if len(out.Auto.Tried) > 0 {
			g.notef("k = %d chosen by silhouette %.3f (tried %d to %d)", ch.K, ch.Score, out.Auto.Tried[0], out.Auto.Tried[len(out.Auto.Tried)-1])
		}
	} else {
		if o.K > len(sel.rows) {
			g.notef("note: -k %d is more than the %d papers; using k = %d", o.K, len(sel.rows), len(sel.rows))
		}
		if res, err = km.Fit(ctx, data, mat.Dim); err != nil {
			return nil, err
		}
	}
	// members of each cluster, closest to the centroid first
	type member struct {
		i   int
		cos float32
	}
	members := make([][]member, res.K)
	for i, c := range res.Assign {
		cos := dot(data[i*mat.Dim:(i+1)*mat.Dim], res.Centroids[c])
		members[c] = append(members[c], member{i, cos})
	}
	for _, ms := range members {
		sort.Slice(ms, func(a, b int) bool {
			if ms[a].cos != ms[b].cos {
				return ms[a].cos > ms[b].cos
			}
			return sel.ids[ms[a].i] < sel.ids[ms[b].i]
		})
	}
	// label from the representatives
	var texts []string
	var assign []int
	var samplePIDs []int64
	for c, ms := range members {
		for _, m := range ms[:min(len(ms), labelSample)] {
			samplePIDs = append(samplePIDs, sel.pids[m.i])
			assign = append(assign, c)
		}
	}
	sample, err := s.PapersByPID(ctx, samplePIDs)
	if err != nil {
		return nil, err
	}
	for _, p := range sample {
		texts = append(texts, embed.Text(p.Title, p.Abstract))
	}
	terms := cluster.Labels(texts, assign, res.K, 5)
	titles, err := s.Titles(ctx, sel.pids)
	if err != nil {
		return nil, err
	}
	for c, ms := range members {
		if len(ms) == 0 {
			continue
		}
		cj := clusterJSON{Terms: terms[c], Size: len(ms)}
		if cj.Terms == nil {
			cj.Terms = []string{}
		}
		cj.Label = label(cj.Terms)
		for _, m := range ms {
			cj.Papers = append(cj.Papers, hitJSON{ID: sel.ids[m.i], Title: titles[sel.pids[m.i]], Score: round3(float64(m.cos))})
		}
		out.Clusters = append(out.Clusters, cj)
	}
	sort.SliceStable(out.Clusters, func(a, b int) bool {
		if out.Clusters[a].Size != out.Clusters[b].Size {
			return out.Clusters[a].Size > out.Clusters[b].Size
		}
		return out.Clusters[a].Label < out.Clusters[b].Label
	})
	for i := range out.Clusters {
		out.Clusters[i].ID = i
	}
	out.K = len(out.Clusters)
	return out, nil
}

// label joins the first three terms.
func label(terms []string) string {
	if len(terms) == 0 {
		return "(no distinctive terms)"
	}
	return strings.Join(terms[:min(3, len(terms))], ", ")
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func (g *globals) printGroup(r *groupJSON) error {
	switch g.format {
	case "json":
		return writeJSON(g.stdout, r)
	case "table":
		return writeGroupText(g.stdout, r, 0)
	}
	t := &table{head: []string{"cluster", "label", "rank", "id", "title", "score"}}
	for _, c := range r.Clusters {
		for i, p := range c.Papers {
			t.add(fmt.Sprint(c.ID), c.Label, fmt.Sprint(i+1), p.ID, p.Title, score(p.Score))
		}
	}
	return g.emit(r, t)
}

// writeGroupText prints clusters for people: a heading per cluster, then its
// papers, closest to the centre first (at most limit per cluster; 0: all).
func writeGroupText(w io.Writer, r *groupJSON, limit int) error {
	var b strings.Builder
	for i, c := range r.Clusters {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## %s  (%d %s)\n", c.Label, c.Size, plural(c.Size, "paper", "papers"))
		if len(c.Terms) > 3 {
			fmt.Fprintf(&b, "   also: %s\n", strings.Join(c.Terms[3:], ", "))
		}
		for j, p := range c.Papers {
			if limit > 0 && j == limit {
				fmt.Fprintf(&b, "   ... and %d more\n", len(c.Papers)-limit)
				break
			}
			fmt.Fprintf(&b, "   %s  %s  %s\n", score(p.Score), p.ID, cut(oneLine(p.Title), 90))
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
