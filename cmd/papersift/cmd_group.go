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

// autoJSON says how -k auto chose k.
type autoJSON struct {
	Criterion string      `json:"criterion"`
	Score     float64     `json:"score"`
	Tried     []triedJSON `json:"tried"`
}

type triedJSON struct {
	K     int     `json:"k"`
	Score float64 `json:"score"`
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
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of clusters (more than the papers: one per paper), or auto: 2 to sqrt(n/2) (at most 20), best silhouette"},
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
	titles  []string // when asked for
	missing int
}

func selectRows(ctx context.Context, s *store.Store, mat *store.Matrix, f filterOpts, withTitles bool) (*selection, error) {
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
	names, err := s.Names(ctx, withTitles)
	if err != nil {
		return nil, err
	}
	type row struct {
		r int
		n store.Name
	}
	rows := make([]row, 0, len(mat.PIDs))
	for i, pid := range mat.PIDs {
		if want != nil && !want[pid] {
			continue
		}
		rows = append(rows, row{i, names[pid]})
	}
	sort.Slice(rows, func(a, b int) bool { return rows[a].n.ID < rows[b].n.ID })
	sel := &selection{rows: make([]int, len(rows)), pids: make([]int64, len(rows)), ids: make([]string, len(rows))}
	if withTitles {
		sel.titles = make([]string, len(rows))
	}
	for i, r := range rows {
		sel.rows[i], sel.pids[i], sel.ids[i] = r.r, mat.PIDs[r.r], r.n.ID
		if withTitles {
			sel.titles[i] = r.n.Title
		}
	}
	if want != nil {
		sel.missing = len(want) - len(rows)
	} else {
		sel.missing = len(names) - len(rows)
	}
	return sel, nil
}

// labelSample caps the papers per cluster that its label is computed from
// (the closest to the centroid): 200, and 2,000 for all clusters together
// (at least 30 each), so that labels cost about the same on a day's list and
// on 74,000 papers.
func labelSample(k int) int {
	return max(30, min(200, 2000/max(1, k)))
}

// gatherRows returns the rows of data (n x dim) listed in rows, in that
// order, as one matrix. A selection of more than half the rows is gathered
// in place (data is overwritten) so that a large fit needs no second copy of
// its vectors.
func gatherRows(data []float32, dim int, rows []int) []float32 {
	n := len(data) / dim
	if 2*len(rows) <= n {
		out := make([]float32, 0, len(rows)*dim)
		for _, r := range rows {
			out = append(out, data[r*dim:(r+1)*dim]...)
		}
		return out
	}
	// the permutation: destination j takes source src[j]; the unselected
	// rows fill the places after the selection
	src := make([]int, 0, n)
	src = append(src, rows...)
	taken := make([]bool, n)
	for _, r := range rows {
		taken[r] = true
	}
	for r := 0; r < n; r++ {
		if !taken[r] {
			src = append(src, r)
		}
	}
	done := make([]bool, n)
	tmp := make([]float32, dim)
	for start := 0; start < n; start++ {
		if done[start] || src[start] == start {
			continue
		}
		copy(tmp, data[start*dim:(start+1)*dim])
		j := start
		for {
			done[j] = true
			from := src[j]
			if from == start {
				copy(data[j*dim:(j+1)*dim], tmp)
				break
			}
			copy(data[j*dim:(j+1)*dim], data[from*dim:(from+1)*dim])
			j = from
		}
	}
	return data[:len(rows)*dim]
}

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
	sel, err := selectRows(ctx, s, mat, f, true)
	if err != nil {
		return nil, err
	}
	if sel.missing > 0 {
		g.notef("note: %d paper(s) have no vector of %s and are left out: run papersift embed", sel.missing, mat.Model)
	}
	if len(sel.rows) == 0 {
		return nil, fmt.Errorf("no embedded papers to group (run papersift embed)")
	}
	dim, model := mat.Dim, mat.Model
	data := gatherRows(mat.Data, dim, sel.rows)
	mat = nil // data may share its memory: the matrix is no longer valid
	out := &groupJSON{List: f.List, Model: model, Missing: sel.missing}
	km := cluster.KMeans{K: o.K, Seed: o.Seed}
	var res *cluster.Result
	if o.K == 0 {
		ch, err := cluster.AutoK{KMeans: km}.Fit(ctx, data, dim)
		if err != nil {
			return nil, err
		}
		res = ch.Result
		out.Auto = &autoJSON{Criterion: ch.Criterion, Score: round3(ch.Score)}
		for _, t := range ch.Tried {
			out.Auto.Tried = append(out.Auto.Tried, triedJSON{K: t.K, Score: round3(t.Score)})
		}
		if len(ch.Tried) > 0 {
			g.notef("k = %d chosen by %s %.3f (tried %d to %d)", ch.K, ch.Criterion, ch.Score, ch.Tried[0].K, ch.Tried[len(ch.Tried)-1].K)
		}
	} else {
		if o.K > len(sel.rows) {
			g.notef("note: -k %d is more than the %d papers; using k = %d", o.K, len(sel.rows), len(sel.rows))
		}
		if res, err = km.Fit(ctx, data, dim); err != nil {
			return nil, err
		}
	}
	data = nil
	// members of each cluster, closest to the centroid first
	members := make([][]int, res.K)
	for i, c := range res.Assign {
		members[c] = append(members[c], i)
	}
	for _, ms := range members {
		sort.Slice(ms, func(a, b int) bool {
			ca, cb := res.Cos[ms[a]], res.Cos[ms[b]]
			if ca != cb {
				return ca > cb
			}
			return sel.ids[ms[a]] < sel.ids[ms[b]]
		})
	}
	terms, err := clusterTerms(ctx, s, sel, members)
	if err != nil {
		return nil, err
	}
	for c, ms := range members {
		if len(ms) == 0 {
			continue // fewer distinct papers than clusters
		}
		cj := clusterJSON{Terms: terms[c], Size: len(ms), Papers: make([]hitJSON, 0, len(ms))}
		if cj.Terms == nil {
			cj.Terms = []string{}
		}
		cj.Label = label(cj.Terms)
		for _, i := range ms {
			cj.Papers = append(cj.Papers, hitJSON{ID: sel.ids[i], Title: sel.titles[i], Score: round3(float64(res.Cos[i]))})
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

// clusterTerms labels each cluster from the titles and abstracts of its
// representatives: the labelSample papers closest to its centroid.
func clusterTerms(ctx context.Context, s *store.Store, sel *selection, members [][]int) ([][]string, error) {
	var pids []int64
	var assign []int
	per := labelSample(len(members))
	for c, ms := range members {
		for _, i := range ms[:min(len(ms), per)] {
			pids = append(pids, sel.pids[i])
			assign = append(assign, c)
		}
	}
	papers, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	if len(papers) != len(pids) {
		return nil, fmt.Errorf("label clusters: %d of %d papers not found (was the database changed meanwhile?)", len(pids)-len(papers), len(pids))
	}
	docs := make([]cluster.Doc, len(papers))
	for i, p := range papers {
		docs[i] = cluster.Doc{Title: p.Title, Abstract: p.Abstract}
	}
	return cluster.Labels(docs, assign, len(members)), nil
}

// label joins the first three terms.
func label(terms []string) string {
	if len(terms) == 0 {
		return "(no distinctive terms)"
	}
	return strings.Join(terms[:min(3, len(terms))], ", ")
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
