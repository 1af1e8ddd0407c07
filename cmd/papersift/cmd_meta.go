package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is papersift's version from the build: the module version when
// installed with go install ...@version, else the commit it was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", with changes"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %.12s, %s%s)", rev, at, dirty)
	}
	return v + ", " + bi.GoVersion
}

// scoresHelp explains the numbers papersift prints, in words.
const scoresHelp = `Scores, in words:
  similar   cosine similarity of the two papers' vectors, from -1 to 1: 1 is the same
            text, around 0 unrelated; above about 0.5 the papers share their topic.
  group     each paper's cosine to its topic's centre: the first papers of a topic
            are its most typical.
  queue     the table's match says in a word how close a paper is to the closest of
            your likes and interests: strong, good, or weak (nothing you like is near
            it). Strong matches come first, then good ones, then weak ones; within
            each, the queue alternates between your topics (the groups your likes
            fall into), in proportion to their size. In JSON, match is that
            closeness (a cosine, 0.15 is the floor, 0.35 strong) and score the
            paper's relevance to your whole profile, in standard deviations above
            the average paper of the list.
  eval      hit rate: the share of your liked papers found in the top k when each is
            hidden in turn; AUC: the share of other papers ranked below them (0.5 is
            chance, 1 is perfect).`

func completionCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Load it in your shell, e.g.\n" +
			"  bash:  source <(papersift completion bash)        (or save it in ~/.local/share/bash-completion/completions/papersift)\n" +
			"  zsh:   papersift completion zsh > \"${fpath[1]}/_papersift\"\n" +
			"  fish:  papersift completion fish > ~/.config/fish/completions/papersift.fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion takes one shell: bash, zsh or fish")
			}
			switch c.Args().First() {
			case "bash":
				return writeBashCompletion(g.stdout, c.App)
			case "zsh":
				return writeZshCompletion(g.stdout, c.App)
			case "fish":
				return writeFishCompletion(g.stdout, c.App)
			}
			return usagef("completion %q: give bash, zsh or fish", c.Args().First())
		},
	}
}

func manCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print papersift's manual page (roff): papersift man > papersift.1; man ./papersift.1",
		Action: func(c *cli.Context) error {
			s, err := c.App.ToManWithSection(1) // a user command
			if err != nil {
				return err
			}
			_, err = io.WriteString(g.stdout, s)
			return err
		},
	}
}

// flagWords are flags as typed: --name, -k.
func flagWords(fs []cli.Flag) []string {
	var out []string
	for _, f := range fs {
		for _, n := range f.Names() {
			out = append(out, dash(n))
		}
	}
	sort.Strings(out)
	return out
}

// commandWords are the names of commands (not the help command urfave/cli
// adds), and what a command takes as its argument where that is a word of
// a few: completion's shells.
func commandWords(cs []*cli.Command) []string {
	var out []string
	for _, c := range cs {
		if !c.Hidden && c.Name != "help" {
			out = append(out, c.Name)
		}
	}
	return out
}

// argWords are the words a command takes as arguments, where they are few.
func argWords(c *cli.Command) []string {
	if c.Name == "completion" {
		return []string{"bash", "zsh", "fish"}
	}
	return nil
}

// cmdWords are what may follow a command: its flags (but the help flag
// urfave/cli adds to the command it runs: --help is among the global
// flags), its subcommands and argWords.
func cmdWords(c *cli.Command) []string {
	out := flagWords(slices.DeleteFunc(slices.Clone(c.Flags), func(f cli.Flag) bool { return f == cli.HelpFlag }))
	return append(append(out, commandWords(c.Subcommands)...), argWords(c)...)
}

func writeBashCompletion(w io.Writer, app *cli.App) error {
	var b strings.Builder
	b.WriteString("# bash completion for papersift (papersift completion bash)\n_papersift() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} cmd= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n  done\n")
	b.WriteString("  local global=\"" + strings.Join(flagWords(app.Flags), " ") + "\"\n")
	b.WriteString("  case $cmd in\n")
	for _, c := range app.Commands {
		words := cmdWords(c)
		fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -W \"%s $global\" -- \"$cur\")); [[ $cur != -* ]] && COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n", c.Name, strings.Join(words, " "))
	}
	fmt.Fprintf(&b, "    *) COMPREPLY=($(compgen -W \"%s $global\" -- \"$cur\")) ;;\n  esac\n}\ncomplete -o filenames -F _papersift papersift\n", strings.Join(commandWords(app.Commands), " "))
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFishCompletion(w io.Writer, app *cli.App) error {
	var b strings.Builder
	b.WriteString("# fish completion for papersift (papersift completion fish)\n")
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
	flagLines := func(cond string, fs []cli.Flag) {
		for _, f := range fs {
			if cond != "" && f == cli.HelpFlag {
				continue // a command's: --help is global
			}
			for _, n := range f.Names() {
				opt := "-l"
				if len(n) == 1 {
					opt = "-s"
				}
				usage := ""
				if d, ok := f.(cli.DocGenerationFlag); ok {
					usage = d.GetUsage()
				}
				fmt.Fprintf(&b, "complete -c papersift %s %s %s -d %s\n", cond, opt, n, q(usage))
			}
		}
	}
	flagLines("", app.Flags)
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		fmt.Fprintf(&b, "complete -c papersift -n __fish_use_subcommand -a %s -d %s\n", c.Name, q(c.Usage))
		cond := "-n " + q("__fish_seen_subcommand_from "+c.Name)
		flagLines(cond, c.Flags)
		for _, s := range c.Subcommands {
			if s.Name != "help" {
				fmt.Fprintf(&b, "complete -c papersift %s -a %s -d %s\n", cond, s.Name, q(s.Usage))
			}
		}
		for _, a := range argWords(c) {
			fmt.Fprintf(&b, "complete -c papersift %s -a %s\n", cond, a)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeZshCompletion(w io.Writer, app *cli.App) error {
	var b strings.Builder
	b.WriteString("#compdef papersift\n# zsh completion for papersift (papersift completion zsh)\n_papersift() {\n  local -a commands\n  commands=(\n")
	for _, c := range app.Commands {
		if !c.Hidden {
			fmt.Fprintf(&b, "    %q\n", c.Name+":"+strings.ReplaceAll(c.Usage, ":", "\\:"))
		}
	}
	b.WriteString("  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    return\n  fi\n  case $words[2] in\n")
	for _, c := range app.Commands {
		words := cmdWords(c)
		fmt.Fprintf(&b, "    %s) compadd -- %s %s; _files ;;\n", c.Name, strings.Join(words, " "), strings.Join(flagWords(app.Flags), " "))
	}
	b.WriteString("  esac\n}\n_papersift \"$@\"\n")
	_, err := io.WriteString(w, b.String())
	return err
}
