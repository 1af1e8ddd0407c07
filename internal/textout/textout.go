// Package textout writes results for people and for other programs: a
// table as aligned text cut to fit a terminal, as CSV that a spreadsheet
// cannot run, or as a Markdown table; any value as JSON.
package textout

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/rivo/uniseg"
	"golang.org/x/term"
)

// Table is a result as rows, for the text, CSV and Markdown formats.
type Table struct {
	Head []string
	Rows [][]string
	// Wide names the columns that may be cut to fit a terminal in the
	// text format (the values are not used).
	Wide map[int]int
	// More counts the rows left out of Rows, and MoreHint says how to see
	// them: the text format says so after its rows (CSV and Markdown do not).
	More     int
	MoreHint string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// TerminalWidth is the width of the terminal w is: 80 when it cannot be
// known or is narrower than 40 columns.
func TerminalWidth(w io.Writer) int {
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

// WriteJSON writes v as JSON, without HTML escaping: indented when indent
// (for a person at a terminal), else compact on one line (for a pipe or a
// file: faster to write, and scripts read it the same).
func WriteJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteCSV writes t as CSV, each cell through CSVCell.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Head); err != nil {
		return err
	}
	row := make([]string, 0, len(t.Head))
	for _, r := range t.Rows {
		row = row[:0]
		for _, c := range r {
			row = append(row, CSVCell(c))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes t for people: aligned columns, one line a row, the head
// in capitals. At a terminal of the given width the columns named in t.Wide
// are cut (never wrapped) so that each row fits; width 0 (a pipe, a file)
// cuts nothing.
func WriteText(w io.Writer, t *Table, width int) error {
	rows := make([][]string, len(t.Rows))
	natural := make([]int, len(t.Head))
	for i, h := range t.Head {
		natural[i] = uniseg.StringWidth(h)
	}
	for k, r := range t.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = OneLine(c)
			if i < len(natural) {
				natural[i] = max(natural[i], uniseg.StringWidth(cells[i]))
			}
		}
		rows[k] = cells
	}
	if limit := fitLimit(natural, t.Wide, width); limit > 0 {
		for _, cells := range rows {
			for i := range cells {
				if _, ok := t.Wide[i]; ok {
					cells[i] = CutWidth(cells[i], limit)
				}
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(upper(t.Head), "\t"))
	for _, cells := range rows {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if t.More > 0 {
		fmt.Fprintf(tw, "... and %d more%s\n", t.More, t.MoreHint)
	}
	return tw.Flush()
}

// WriteMarkdown writes t as a Markdown table. text escapes a cell's text so
// that it turns into no markup; numbers are written as they are, and a |
// is escaped so that it cannot end a cell.
func WriteMarkdown(w io.Writer, t *Table, text func(string) string) error {
	esc := func(s string) string {
		if IsNumber(s) {
			return s
		}
		return strings.ReplaceAll(text(s), "|", `\|`)
	}
	var b strings.Builder
	b.WriteString("|")
	for _, h := range t.Head {
		b.WriteString(" " + esc(h) + " |")
	}
	b.WriteString("\n|")
	for range t.Head {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MinCut is the narrowest a cut column or title becomes.
const MinCut = 16

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
	for limit := widest - 1; limit >= MinCut; limit-- {
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
	return MinCut
}

// FitTitle is a title on one line, cut to what is left of a terminal's
// width after used columns, but never below MinCut (width 0: not cut).
func FitTitle(title string, width, used int) string {
	title = OneLine(title)
	if width <= 0 {
		return title
	}
	return CutWidth(title, max(MinCut, width-used))
}

// CutWidth shortens s to at most n terminal columns, with an ellipsis.
func CutWidth(s string, n int) string {
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

// OneLine collapses white space so that a cell stays on one line.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func upper(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToUpper(x)
	}
	return out
}

// CSVCell neutralises a cell that a spreadsheet would run as a formula
// (OWASP's advice on CSV injection): text starting with =, +, -, @, a tab
// or a carriage return gets a leading apostrophe. Numbers stay numbers.
func CSVCell(s string) string {
	if s == "" || IsNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// IsNumber reports whether s is a plain decimal number such as -1.873 or
// 2e-5 (not Inf, NaN or hexadecimal).
func IsNumber(s string) bool {
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
