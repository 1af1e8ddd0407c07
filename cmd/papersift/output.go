package main

import (
	"fmt"
	"io"

	"github.com/papersift/papersift/digest"
	"github.com/papersift/papersift/internal/textout"
)

// table is a result as rows, for the table, csv and md formats (see
// textout.Table).
type table struct {
	head []string
	rows [][]string
	// wide names the columns that may be cut to fit a terminal in table
	// format (the values are not used).
	wide map[int]int
	// more rows are left out, and how to see them (table format only).
	more     int
	moreHint string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// emit writes a result in the chosen format: v as JSON, t otherwise.
func (g *globals) emit(v any, t *table) error {
	if g.format == "json" {
		return writeJSON(g.stdout, v)
	}
	tt := &textout.Table{Head: t.head, Rows: t.rows, Wide: t.wide, More: t.more, MoreHint: t.moreHint}
	switch g.format {
	case "csv":
		return textout.WriteCSV(g.stdout, tt)
	case "md":
		// the digest's escaping: no cell turns into markup, a link or HTML
		return textout.WriteMarkdown(g.stdout, tt, digest.MarkdownText)
	default:
		return textout.WriteText(g.stdout, tt, g.textWidth())
	}
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
	return textout.TerminalWidth(w)
}

// writeJSON writes v as JSON: indented for a person at a terminal, compact
// on one line for a pipe or a file (a 70,000-paper group is 10% faster to
// write, and scripts read it the same).
func writeJSON(w io.Writer, v any) error { return textout.WriteJSON(w, v, isTerminal(w)) }

func score(x float64) string { return fmt.Sprintf("%.3f", x) }

// fitTitle and oneLine are textout's, for the commands' own layouts.
func fitTitle(title string, width, used int) string { return textout.FitTitle(title, width, used) }

func oneLine(s string) string { return textout.OneLine(s) }
