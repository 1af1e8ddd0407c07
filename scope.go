package papersift

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/papersift/papersift/store"
)

// Scope chooses papers: one list, the papers dated on or after a day,
// or all of them. The zero Scope means the operation's default (for group,
// queue and digest: the most recently ingested list).
type Scope struct {
	Lists []string // the papers of these lists
	Since string   // YYYY-MM-DD
	All   bool
}

func (f Scope) empty() bool { return !f.All && len(f.Lists) == 0 && f.Since == "" }

// ListScope is the scope of some lists.
func ListScope(names ...string) Scope { return Scope{Lists: names} }

// name is how results name a scope of lists: the one list's name, else "".
func (f Scope) name() string {
	if len(f.Lists) == 1 {
		return f.Lists[0]
	}
	return ""
}

// CheckListName fails a list name that cannot name a list: empty or blank,
// holding a comma (lists are written joined by commas) or a control
// character, not UTF-8, or longer than 200 characters.
func CheckListName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return optionErrorf("--list %q: a list name needs a visible character", name)
	case strings.ContainsRune(name, ','):
		return optionErrorf("--list %q: a list name cannot hold a comma", name)
	case !utf8.ValidString(name):
		// stored as given, it could be neither shown nor named again
		return optionErrorf("--list %q: a list name must be text (UTF-8)", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }):
		return optionErrorf("--list %q: a list name cannot hold a control character", name)
	case utf8.RuneCountInString(name) > 200:
		return optionErrorf("--list: a list name of %d characters is too long (at most 200)", utf8.RuneCountInString(name))
	}
	return nil
}

// Check fails a Scope that gives more than one of List, Since and All, or
// a Since that is not a day, as an *OptionError.
func (f Scope) Check() error {
	for _, l := range f.Lists {
		if strings.TrimSpace(l) == "" {
			return optionErrorf("--list %q: give the name of a list (papersift lists shows them)", l)
		}
	}
	if f.Since != "" && !isDate(f.Since) {
		return optionErrorf("--since %q: give a day as YYYY-MM-DD", f.Since)
	}
	n := 0
	for _, set := range []bool{len(f.Lists) > 0, f.Since != "", f.All} {
		if set {
			n++
		}
	}
	if n > 1 {
		return optionErrorf("give one of --list, --since and --all")
	}
	return nil
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
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

// checkLists fails clearly for a list that does not exist.
func checkLists(ctx context.Context, s *store.Store, names []string) error {
	for _, n := range names {
		if err := checkList(ctx, s, n); err != nil {
			return err
		}
	}
	return nil
}

// checkList fails clearly for a list that does not exist.
func checkList(ctx context.Context, s *store.Store, name string) error {
	if name == "" {
		return nil
	}
	ok, err := s.ListExists(ctx, name)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	ls, err := s.Lists(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("no list %q: nothing has been ingested yet", name)
	}
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return fmt.Errorf("no list %q (lists: %s)", name, strings.Join(names, ", "))
}

// resolveScope fills the default list of an empty scope and checks that
// its list exists.
func resolveScope(ctx context.Context, s *store.Store, f Scope) (Scope, error) {
	if f.empty() {
		name, err := defaultList(ctx, s)
		if err != nil {
			return f, err
		}
		f.Lists = []string{name}
	}
	return f, checkLists(ctx, s, f.Lists)
}

// allowed returns the pids a scope allows, or nil for all.
func allowed(ctx context.Context, s *store.Store, f Scope) (map[int64]bool, error) {
	if f.All || len(f.Lists) == 0 && f.Since == "" {
		return nil, nil
	}
	pids, err := s.PIDs(ctx, store.Filter{Lists: f.Lists, Since: f.Since})
	if err != nil {
		return nil, err
	}
	m := make(map[int64]bool, len(pids))
	for _, p := range pids {
		m[p] = true
	}
	return m, nil
}

// selection is the papers of a scope that have vectors, sorted by id so that
// results never depend on storage order.
type selection struct {
	rows    []int // rows of the matrix
	pids    []int64
	ids     []string
	titles  []string // when read (readTitles)
	missing int
	papers  int // in the database (0: not counted, a small scope)
}

// selectRows selects the papers of want (every paper when nil) that have a
// row in mat, sorted by id; small (isSmallScope) reads their ids by key.
func selectRows(ctx context.Context, s *store.Store, mat *store.Matrix, want map[int64]bool, small bool) (*selection, error) {
	// the matrix is in the papers' order (byPID, or the index's)
	rowOf := func(pid int64) (int, bool) {
		i, ok := slices.BinarySearch(mat.PIDs, pid)
		return i, ok
	}
	sel := &selection{}
	papers := 0
	add := func(pid int64, id string) {
		r, ok := rowOf(pid)
		if !ok {
			return
		}
		sel.rows = append(sel.rows, r)
		sel.pids = append(sel.pids, pid)
		sel.ids = append(sel.ids, id)
	}
	if small {
		// a day's list among many papers: its ids by key, sorted here
		type name struct {
			pid int64
			id  string
		}
		var names []name
		if err := s.NamesOf(ctx, slices.Collect(maps.Keys(want)), func(pid int64, id string) {
			names = append(names, name{pid, id})
		}); err != nil {
			return nil, err
		}
		slices.SortFunc(names, func(a, b name) int { return strings.Compare(a.id, b.id) })
		for _, n := range names {
			add(n.pid, n.id)
		}
		sel.missing = len(want) - len(sel.rows)
		return sel, nil
	}
	// at most every row, or every wanted paper: grown once, not by copies
	most := len(mat.PIDs)
	if want != nil {
		most = min(most, len(want))
	}
	sel.rows, sel.pids, sel.ids = make([]int, 0, most), make([]int64, 0, most), make([]string, 0, most)
	err := s.EachName(ctx, func(pid int64, id string) {
		papers++
		if want == nil || want[pid] {
			add(pid, id)
		}
	})
	if err != nil {
		return nil, err
	}
	sel.papers = papers
	if want != nil {
		sel.missing = len(want) - len(sel.rows)
	} else {
		sel.missing = papers - len(sel.rows)
	}
	return sel, nil
}

// smallScope is the number of papers up to which a scope's vectors and ids
// are read paper by paper rather than with every paper's (a day's list in
// a database of a million papers), when they are at most a quarter of the
// papers.
var smallScope = 2000

// isSmallScope says whether the papers of want are read paper by paper.
func isSmallScope(ctx context.Context, s *store.Store, want map[int64]bool) (bool, error) {
	if want == nil || len(want) > smallScope {
		return false, nil
	}
	papers, err := s.MaxPID(ctx)
	return 4*int64(len(want)) <= papers, err
}

// readTitles fills sel.titles with the title of every selected paper: in
// one scan of the table when they are a large share of the papers, else
// each by its key.
func readTitles(ctx context.Context, s *store.Store, mat *store.Matrix, sel *selection) error {
	titles := make([]string, len(sel.ids))
	at := make([]int32, len(mat.PIDs)) // the selection's index of each row, plus one
	for i, r := range sel.rows {
		at[r] = int32(i + 1)
	}
	put := func(pid int64, title string) {
		if r, ok := slices.BinarySearch(mat.PIDs, pid); ok && at[r] > 0 {
			titles[at[r]-1] = title
		}
	}
	var err error
	if sel.papers > 0 && 4*len(sel.pids) > sel.papers {
		err = s.EachTitle(ctx, put) // the others are left out by put
	} else {
		err = s.TitlesOf(ctx, sel.pids, put)
	}
	if err != nil {
		return err
	}
	sel.titles = titles
	return nil
}

// cut shortens s to at most n characters, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// round3 rounds a score for the results, so that output is stable and
// readable (four decimals).
func round3(x float64) float64 {
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.4f", x), 64)
	if v == 0 {
		return 0 // never -0
	}
	return v
}
