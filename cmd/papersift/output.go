package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/papersift/papersift/digest"
	"github.com/rivo/uniseg"
	"golang.org/x/term"
)

// table is a result as rows, for the table, csv and md formats.
type table struct {
	head []string
	rows [][]string
	// wide names the columns that may be cut to fit a terminal in table
	// format (the values are not used).
	wide map[int]int
	// more rows are left out of the table (not of JSON and CSV), and how
	// to see them.
	more     int
	moreHint string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// emit writes a result in the chosen format: v as JSON, t otherwise.
func (g *globals) emit(v any, t *table) error {
	return writeFormat(g.stdout, g.format, v, t, g.textWidth())
}

// textWidth is the width of the terminal that stdout is, or 0 when it is
// not a terminal (a pipe or a file: full width).
func (g *globals) textWidth() int { return terminalWidth(g.rawStdout) }

// terminalWidth is w's width when it is a terminal, else 0 (a variable
// for tests).
var terminalWidth = func(w io.Writer) int {
	if !isTerminal(w) {
		return 0
	}
	f, ok := w.(*os.File)
	if !ok {
		return 80
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		return 80
	}
	return width
}

func writeFormat(w io.Writer, format string, v any, t *table, width int) error {
	switch format {
	case "json":
		return writeJSON(w, v)
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(t.head); err != nil {
			return err
		}
		row := make([]string, 0, len(t.head))
		for _, r := range t.rows {
			row = row[:0]
			for _, c := range r {
				row = append(row, csvCell(c))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "md":
		return writeMarkdownTable(w, t)
	default:
		return writeTable(w, t, width)
	}
}

// writeJSON writes v as JSON: indented for a person at a terminal, compact
// on one line for a pipe or a file (a 70,000-paper group is 10% faster to
// write, and scripts read it the same).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	if isTerminal(w) {
		enc.SetIndent("", "  ")
	}
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeTable writes t for people: aligned columns, one line a row. At a
// terminal of the given width the columns named in t.wide are cut (never
// wrapped) so that each row fits; width 0 (a pipe, a file) cuts nothing.
func writeTable(w io.Writer, t *table, width int) error {
	rows := make([][]string, len(t.rows))
	natural := make([]int, len(t.head))
	for i, h := range t.head {
		natural[i] = uniseg.StringWidth(h)
	}
	for k, r := range t.rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = oneLine(c)
			if i < len(natural) {
				natural[i] = max(natural[i], uniseg.StringWidth(cells[i]))
			}
		}
		rows[k] = cells
	}
	if limit := fitLimit(natural, t.wide, width); limit > 0 {
		for _, cells := range rows {
			for i := range cells {
				if _, ok := t.wide[i]; ok {
					cells[i] = cutWidth(cells[i], limit)
				}
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(upper(t.head), "\t"))
	for _, cells := range rows {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if t.more > 0 {
		fmt.Fprintf(tw, "... and %d more%s\n", t.more, t.moreHint)
	}
	return tw.Flush()
}

// minCut is the narrowest a cut column becomes.
const minCut = 16

// fitLimit is the width to which the wide columns are cut so that a row
// of natural column widths fits in width (2 spaces between columns), or 0
// when nothing needs cutting.
func fitLimit(natural []int, wide map[int]int, width int) int {
	if width <= 0 || len(wide) == 0 {
		return 0
	}
	total := 2 * (len(natural) - 1)
	widest := 0
	for i, n := range natural {
		total += n
		if _, ok := wide[i]; ok {
			widest = max(widest, n)
		}
	}
	if total <= width {
		return 0
	}
	excess := total - width
	// the largest limit that removes the excess from the wide columns
	for limit := widest - 1; limit >= minCut; limit-- {
		saved := 0
		for i, n := range natural {
			if _, ok := wide[i]; ok && n > limit {
				saved += n - limit
			}
		}
		if saved >= excess {
			return limit
		}
	}
	return minCut
}

// fitTitle is a title on one line, cut to what is left of a terminal's
// width after used columns (width 0: not cut).
func fitTitle(title string, width, used int) string {
	title = oneLine(title)
	if width <= 0 {
		return title
	}
	return cutWidth(title, max(minCut, width-used))
}

// cutWidth shortens s to at most n columns, with an ellipsis.
func cutWidth(s string, n int) string {
	if uniseg.StringWidth(s) <= n {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := uniseg.StringWidth(string(r))
		if w+rw > n-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String() + "…"
}

func upper(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToUpper(x)
	}
	return out
}

// csvCell neutralises a cell that a spreadsheet would run as a formula
// (OWASP's advice on CSV injection): text starting with =, +, -, @, a tab
// or a carriage return gets a leading apostrophe. Numbers stay numbers.
func csvCell(s string) string {
	if s == "" || isNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// isNumber reports whether s is a plain decimal number such as -1.873 or 2e-5.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func writeMarkdownTable(w io.Writer, t *table) error {
	// the digest's escaping: no cell turns into markup, a link or HTML
	esc := func(s string) string {
		if isNumber(s) {
			return s
		}
		return strings.ReplaceAll(digest.MarkdownText(s), "|", `\|`)
	}
	var b strings.Builder
	b.WriteString("|")
	for _, h := range t.head {
		b.WriteString(" " + esc(h) + " |")
	}
	b.WriteString("\n|")
	for range t.head {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine collapses white space so a cell stays on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cut shortens s to at most n characters, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func score(x float64) string { return fmt.Sprintf("%.3f", x) }
