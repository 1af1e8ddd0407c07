package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func dailyCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "daily",
		Usage:     "the morning in one command: fetch your sources, ingest what is new, group, rank, write the digest (HTML, Markdown, Atom feed) and mail it",
		ArgsUsage: "[SOURCE...] (default: [daily] sources of the configuration file, e.g. hf:today arxiv:cs.CL)",
		Description: "Safe to run from cron as often as you like: a rerun stores and embeds only what is new, and\n" +
			"mails again only when the digest changed (--force mails anyway). The files go to --out (or\n" +
			"[daily] out), default the folder of the database's daily/: papersift.html, papersift.md and\n" +
			"papersift.atom (subscribe to it in a feed reader). Mail goes through the [mail] server of the\n" +
			"configuration file; its password comes from PAPERSIFT_SMTP_PASSWORD.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the folder of the digest files"},
			&cli.BoolFlag{Name: "mail", Usage: "mail the digest (to [mail] to of the configuration file)"},
			&cli.BoolFlag{Name: "force", Usage: "mail even when this digest was mailed before"},
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of topics, or auto"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the grouping"},
			&cli.IntFlag{Name: "n", Value: 10, Usage: "length of the reading queue"},
		},
		Action: func(c *cli.Context) error {
			fc := g.file
			if err := emptyFlag(c, "out", "give the digest's folder, or leave --out out for daily/ beside the database"); err != nil {
				return err
			}
			o := papersift.DailyOptions{Sources: c.Args().Slice(), Out: c.String("out"), Seed: c.Uint64("seed"), Force: c.Bool("force")}
			if len(o.Sources) == 0 {
				o.Sources = fc.Daily.Sources
				// the configuration file's mistake, not the command line's
				for _, src := range o.Sources {
					if err := papersift.CheckSourceName(src, g.now()); err != nil {
						return fmt.Errorf("%s: [daily] sources: %v (fix the configuration file)", g.configFile, err)
					}
				}
			}
			if o.Out == "" {
				o.Out = fc.Daily.Out
			}
			if o.Out == "" {
				o.Out = filepath.Join(filepath.Dir(g.cfg.DB), "daily")
			}
			var err error
			if o.K, err = g.digestK(c); err != nil {
				return err
			}
			o.N = c.Int("n")
			if !c.IsSet("n") && fc.Digest.N > 0 {
				o.N = fc.Digest.N
			}
			if o.N <= 0 {
				return usagef("-n %d: give a whole number of at least 1", o.N)
			}
			if c.Bool("mail") || (fc.Daily.Mail != nil && *fc.Daily.Mail) {
				m := fc.Mail
				o.Mail = &papersift.Mail{Host: m.Host, Port: m.Port, Security: m.Security, User: m.User, Password: g.mailPassword,
					From: m.From, To: m.To, CAFile: m.CA}
			}
			res, err := g.lib.Daily(c.Context, o)
			if res == nil {
				return err
			}
			if werr := g.printDaily(res); werr != nil {
				return werr
			}
			return err
		},
	}
}

func (g *globals) printDaily(r *papersift.DailyResult) error {
	if g.format == "json" {
		return writeJSON(g.stdout, r)
	}
	var b strings.Builder
	for _, e := range r.Empty {
		fmt.Fprintf(&b, "%s\n", e)
	}
	if r.Digest == nil {
		fmt.Fprintf(&b, "%s\n", r.Note)
		_, err := fmt.Fprint(g.stdout, b.String())
		return err
	}
	d := r.Digest
	n := 0
	for _, c := range d.Groups.Clusters {
		n += c.Size
	}
	in := d.Ingest
	k := len(d.Groups.Clusters)
	fmt.Fprintf(&b, "%s: %d %s (%d new) in %d %s", d.List, n, plural(n, "paper", "papers"), in.New, k, plural(k, "topic", "topics"))
	if len(d.Queue) > 0 {
		fmt.Fprintf(&b, "; %d to read first, the first: %s", len(d.Queue), fitTitle(d.Queue[0].Title, g.textWidth(), 60))
	}
	b.WriteString("\n")
	for _, f := range r.Files {
		fmt.Fprintf(&b, "wrote %s\n", f)
	}
	fmt.Fprintf(&b, "mail: %s\n", r.Mail)
	_, err := fmt.Fprint(g.stdout, b.String())
	return err
}
