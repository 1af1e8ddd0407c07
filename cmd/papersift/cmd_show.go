package main

import (
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func showCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "one paper in full: title, authors, date, abstract, links, lists, your rating and its nearest papers",
		ArgsUsage: "PAPER (an id or a title fragment)",
		Flags:     []cli.Flag{&cli.IntFlag{Name: "k", Value: 5, Usage: "how many of its nearest papers (0: none)"}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || strings.TrimSpace(c.Args().First()) == "" {
				return usagef("show takes one PAPER (an id or a title fragment; quote it if it has spaces)")
			}
			k, err := intIn(c, "k", 0, 1000)
			if err != nil {
				return err
			}
			if k == 0 {
				k = -1
			}
			v, err := g.lib.Show(c.Context, papersift.ShowOptions{Paper: c.Args().First(), Similar: k})
			if err != nil {
				return err
			}
			switch g.format {
			case "json":
				return writeJSON(g.stdout, v)
			case "table":
				return writeShow(g.stdout, v, g.textWidth())
			}
			t := &table{head: []string{"field", "value"}}
			for _, f := range showFields(v) {
				t.add(f[0], f[1])
				if f[0] == "id" {
					t.add("title", v.Title)
				}
			}
			t.add("abstract", v.Abstract)
			for _, h := range v.Similar {
				t.add("similar", fmt.Sprintf("%s %s %s", score(h.Score), h.ID, h.Title))
			}
			return g.emit(v, t)
		},
	}
}

// showFields are the short facts of a paper, in the order shown.
func showFields(v *papersift.PaperView) [][2]string {
	var out [][2]string
	add := func(k, val string) {
		if val != "" {
			out = append(out, [2]string{k, val})
		}
	}
	add("id", v.ID)
	add("authors", strings.Join(v.Authors, ", "))
	if len(v.Authors) == 0 && v.NAuthors != nil {
		add("authors", fmt.Sprintf("%d", *v.NAuthors))
	}
	add("organisation", v.Org)
	add("date", v.Date)
	add("category", v.Category)
	add("url", v.Page())
	for _, l := range v.Links {
		add("link", l)
	}
	add("doi", v.DOI)
	add("journal", v.Journal)
	add("lists", strings.Join(v.Lists, ", "))
	add("rating", v.Rating)
	return out
}

// writeShow prints a paper for people: the title, its facts, the abstract
// wrapped to width, and its nearest papers.
func writeShow(w io.Writer, v *papersift.PaperView, width int) error {
	var b strings.Builder
	b.WriteString(wrap(oneLine(v.Title), width, "") + "\n\n")
	for _, f := range showFields(v) {
		fmt.Fprintf(&b, "%-13s %s\n", f[0]+":", f[1])
	}
	if v.Rating == "" {
		fmt.Fprintf(&b, "%-13s %s\n", "rating:", "none (papersift like / dislike / read)")
	}
	b.WriteString("\n" + wrap(oneLine(v.Abstract), width, "") + "\n")
	if len(v.Similar) > 0 {
		b.WriteString("\nNearest papers:\n")
		for _, h := range v.Similar {
			fmt.Fprintf(&b, "  %s  %s  %s\n", score(h.Score), h.ID, fitTitle(h.Title, width, 9+len(h.ID)+2))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int, indent string) string {
	if width <= 0 {
		width = 80
	}
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		l := len([]rune(word))
		if n > 0 && n+1+l > width {
			b.WriteString("\n" + indent)
			n = len(indent)
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}

func openCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "open",
		Usage:     "open a paper's page in the browser (prints its address where there is no browser)",
		ArgsUsage: "PAPER (an id or a title fragment)",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || strings.TrimSpace(c.Args().First()) == "" {
				return usagef("open takes one PAPER (an id or a title fragment; quote it if it has spaces)")
			}
			v, err := g.lib.Show(c.Context, papersift.ShowOptions{Paper: c.Args().First(), Similar: -1})
			if err != nil {
				return err
			}
			u := v.Page()
			if u == "" {
				return fmt.Errorf("paper %s has no address (no URL and no arXiv id): papersift show %s prints what is known of it", v.ID, v.ID)
			}
			if !webAddress(u) {
				// a listing's URL goes to the browser as an argument: never
				// a javascript: or file: address, nor an option ("--...")
				return fmt.Errorf("paper %s: its address %q is not a web page (http or https), so it is not opened: papersift show %s prints what is known of it", v.ID, oneLine(u), v.ID)
			}
			if err := g.browse(u); err != nil {
				fmt.Fprintln(g.stdout, u)
				g.notef("no browser to open it (%v): the address is above", err)
				return nil
			}
			g.notef("opened %s", u)
			return nil
		},
	}
}

// webAddress reports whether u is an http or https address with a host.
func webAddress(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && !strings.HasPrefix(u, "-")
}

// browse opens u in the reader's browser: $BROWSER, else the system's
// opener.
func (g *globals) browse(u string) error {
	var cmd *exec.Cmd
	switch b := g.getenv("BROWSER"); {
	case b != "":
		cmd = exec.Command(b, u)
	case runtime.GOOS == "darwin":
		cmd = exec.Command("open", u)
	case runtime.GOOS == "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if _, err := exec.LookPath("xdg-open"); err != nil {
			return err
		}
		if g.getenv("DISPLAY") == "" && g.getenv("WAYLAND_DISPLAY") == "" {
			return fmt.Errorf("no display")
		}
		cmd = exec.Command("xdg-open", u)
	}
	return cmd.Start()
}

func listsCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "lists",
		Usage: "the lists of papers: name, papers, source and when they were ingested",
		Action: func(c *cli.Context) error {
			ls, err := g.lib.Lists(c.Context)
			if err != nil {
				return err
			}
			t := &table{head: []string{"list", "papers", "source", "ingested"}, wide: map[int]int{2: 60}}
			for _, l := range ls {
				t.add(l.Name, fmt.Sprint(l.Papers), l.Source, strings.Replace(strings.TrimSuffix(l.Ingested, "Z"), "T", " ", 1))
			}
			return g.emit(ls, t)
		},
	}
}
