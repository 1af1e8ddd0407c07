package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/lazyre"
	"github.com/papersift/papersift/internal/sanitize"
)

// interruptedError is a command stopped by Ctrl-C: exit code 130.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

// interrupted is the error of a command stopped by Ctrl-C: what became of
// the reader's data (readOnly: the command had the database open only to
// read).
func interrupted(command string, readOnly bool) error {
	switch {
	case command == "ingest" || command == "daily":
		return &interruptedError{"interrupted: what was committed before is kept (an ingest stores its papers all at once or not at all); run the command again to finish"}
	case command == "embed":
		return &interruptedError{"interrupted: the papers embedded before are kept (a refit is kept only when it finished); run papersift embed again to finish"}
	case readOnly || noDatabaseCommands[command]:
		return &interruptedError{"interrupted: nothing was changed"}
	}
	return &interruptedError{"interrupted: what was committed before is kept; run the command again to finish"}
}

// usageError is wrong usage: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// emptyFlag fails a flag given an empty value (--since=), which would
// otherwise read as not given.
func emptyFlag(c *cli.Context, name, what string) error {
	if c.IsSet(name) && strings.TrimSpace(c.String(name)) == "" {
		return usagef("--%s %q: %s", name, c.String(name), what)
	}
	return nil
}

// noArgs makes a command that takes only flags refuse arguments, which it
// would otherwise ignore ("papersift group 2026-01-07" grouping the latest
// list, not that day's).
func noArgs(c *cli.Command, name string) {
	action := c.Action
	c.Action = func(ctx *cli.Context) error {
		if ctx.Args().Present() {
			return usagef("%s takes no arguments, only flags: %q is not one (papersift %s --help)", name, ctx.Args().First(), name)
		}
		return action(ctx)
	}
}

// recoverCommand is the sqlite3 command that copies what can be read of a
// damaged database into a new one.
func recoverCommand(db string) string {
	return fmt.Sprintf("sqlite3 %s .recover | sqlite3 %s", shellQuote(db), shellQuote(strings.TrimSuffix(db, filepath.Ext(db))+"-recovered.db"))
}

// exitCode maps an error to the process exit code, in one place.
func exitCode(err error) int {
	var u *usageError
	var o *papersift.OptionError
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(*interruptedError)):
		return 130
	case errors.As(err, &u), errors.As(err, &o):
		return 2
	default:
		return 1
	}
}

// run is main without the process: testable with buffers.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// Text for people goes through the sanitiser: stderr always, stdout
	// unless the output is JSON (see globals.load).
	errw := sanitize.NewWriter(stderr)
	g := &globals{getenv: getenv, stdin: stdin, stdout: stdout, stderr: errw, rawStdout: stdout, rawStderr: stderr,
		bars: &syncWriter{w: stderr}, now: time.Now}
	defer errw.Flush()
	app := newApp(g)
	norm, err := normalizeArgs(app, args)
	if err == nil {
		err = app.RunContext(ctx, norm)
	}
	if g.lib != nil {
		g.lib.Close()
	}
	if err != nil && ctx.Err() != nil {
		// Ctrl-C (or SIGTERM): whatever the error the interruption caused
		// deep down, the reader gets one clean message and 130, as shells
		// report a program stopped by SIGINT
		err = interrupted(g.command, g.cfg.ReadOnly)
	}
	if err != nil && papersift.Damaged(err) {
		// whichever query met the damage: the file, and what can be done
		if !errors.Is(err, papersift.ErrDamaged) {
			err = fmt.Errorf("%s: %w: %w", g.cfg.DB, papersift.ErrDamaged, err)
		}
		err = fmt.Errorf("%w (restore it from a backup if there is one; %s saves what can still be read into a new file)", err, recoverCommand(g.cfg.DB))
	}
	if err != nil {
		fmt.Fprintf(g.stderr, "papersift: %s\n", g.hints(err.Error()))
		if exitCode(err) == 2 {
			fmt.Fprintln(g.stderr, "Run 'papersift --help' (or 'papersift COMMAND --help') for usage.")
		}
	}
	if f, ok := g.stdout.(*sanitize.Writer); ok {
		f.Flush()
	}
	return exitCode(err)
}

func onUsageError(_ *cli.Context, err error, _ bool) error {
	// Go's flag package names flags with one dash; papersift's are written
	// --name (one letter: -k)
	msg := flagNameRe.Regexp().ReplaceAllStringFunc(err.Error(), func(m string) string {
		i := strings.LastIndex(m, " -")
		if name := m[i+2:]; len(name) > 1 {
			return m[:i] + " --" + name
		}
		return m
	})
	return &usageError{msg}
}

var flagNameRe = lazyre.New(`(flag|defined:) -[A-Za-z][A-Za-z0-9-]*`)

func newApp(g *globals) *cli.App {
	app := &cli.App{
		Name:  "papersift",
		Usage: "sift a day's research papers: similar papers, today's topics, what to read first",
		Description: "papersift keeps papers and their embeddings in SQLite. It embeds offline by default\n" +
			"(the built-in model, no key, no network) or through any OpenAI-compatible endpoint.\n\n" + scoresHelp,
		Version:                version(),
		Flags:                  globalFlags(),
		Reader:                 g.stdin,
		Writer:                 g.stdout,
		ErrWriter:              g.stderr,
		OnUsageError:           onUsageError,
		ExitErrHandler:         func(*cli.Context, error) {},
		HideHelpCommand:        true, // papersift help CMD is CMD --help (see normalizeArgs)
		UseShortOptionHandling: false,
		Before: func(c *cli.Context) error {
			return g.load(c)
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unknown command %q", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			ingestCommand(g),
			embedCommand(g),
			papersCommand(g),
			similarCommand(g),
			groupCommand(g),
			feedbackCommand(g, "like", "mark papers as liked (the queue ranks what resembles them first)"),
			feedbackCommand(g, "dislike", "mark papers as disliked (the queue pushes down what resembles them)"),
			feedbackCommand(g, "read", "mark papers as read (the queue leaves them out)"),
			feedbackCommand(g, "unrate", "remove likes, dislikes and read marks from papers"),
			interestCommand(g),
			profileCommand(g),
			queueCommand(g),
			evalCommand(g),
			digestCommand(g),
			dailyCommand(g),
			showCommand(g),
			openCommand(g),
			listsCommand(g),
			statsCommand(g),
			doctorCommand(g),
			configCommand(g),
			completionCommand(g),
			manCommand(g),
		},
	}
	var setUsage func(path string, cs []*cli.Command)
	setUsage = func(path string, cs []*cli.Command) {
		for _, c := range cs {
			c.OnUsageError = onUsageError
			if c.ArgsUsage == "" && len(c.Subcommands) == 0 && c.Action != nil {
				noArgs(c, path+c.Name)
			}
			setUsage(path+c.Name+" ", c.Subcommands)
		}
	}
	setUsage("", app.Commands)
	return app
}

// flagTable maps every name of the flags to whether it takes a value.
func flagTable(flags []cli.Flag) map[string]bool {
	t := map[string]bool{"help": false, "h": false}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			t[n] = !isBool
		}
	}
	return t
}

// outputOnly are --format values that only name an output format.
var outputOnly = map[string]bool{"table": true, "json": true, "md": true}

// normalizeArgs lets flags go anywhere, as people type them. urfave/cli v2
// stops at the first positional argument and reads global flags only before
// the command; this puts the global flags first, then the command, then its
// flags, then its arguments. A command's own flag of the same name as a
// global one wins, except --format on ingest and digest, which is the input
// format unless its value is an output-only format (table, json, md).
func normalizeArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) == 0 {
		return args, nil
	}
	global := flagTable(app.Flags)
	var globals, path, locals, positional []string
	var cmd *cli.Command
	var local map[string]bool
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			value := ""
			if hasValue {
				_, value, _ = strings.Cut(a, "=")
			} else if i+1 < len(args) {
				value = args[i+1]
			}
			takes, isLocal := local[name]
			dst := &locals
			if !isLocal {
				var isGlobal bool
				takes, isGlobal = global[name]
				if isGlobal || cmd == nil {
					dst = &globals
				}
			} else if name == "format" && (cmd.Name == "ingest" || cmd.Name == "digest") && outputOnly[value] {
				dst = &globals
			}
			*dst = append(*dst, a)
			if takes && !hasValue && i+1 < len(args) {
				*dst = append(*dst, args[i+1])
				i++
			}
			continue
		}
		if cmd == nil {
			cmd = app.Command(a)
			if cmd == nil {
				if a == "help" {
					// papersift help [CMD [SUB]]: the command's --help
					// (help help and help -h: papersift's)
					rest := append([]string{args[0]}, globals...)
					for _, w := range args[i+1:] {
						if w != "-h" && w != "--help" && w != "-help" && (w != "help" || len(rest) > 1+len(globals)) {
							rest = append(rest, w)
						}
					}
					return append(rest, "--help"), nil
				}
				msg := fmt.Sprintf("unknown command %q", a)
				if s := suggest(a, app.Commands); s != "" {
					msg += fmt.Sprintf(": did you mean %q?", s)
				}
				return nil, usagef("%s (commands: %s)", msg, commandNames(app.Commands))
			}
			path = append(path, a)
			local = flagTable(cmd.Flags)
			continue
		}
		if len(cmd.Subcommands) > 0 && len(positional) == 0 {
			if sub := cmd.Command(a); sub != nil {
				cmd = sub
				path = append(path, a)
				local = flagTable(sub.Flags)
				continue
			}
		}
		positional = append(positional, a)
	}
	out := append([]string{args[0]}, globals...)
	out = append(out, path...)
	out = append(out, locals...)
	for _, p := range positional {
		if len(p) > 1 && p[0] == '-' {
			out = append(out, "--")
			break
		}
	}
	return append(out, positional...), nil
}

// suggest is the command whose name is closest to a mistyped one, when it
// is close enough to be what was meant (at most two edits, and at most
// one per two letters), else "".
func suggest(typed string, cs []*cli.Command) string {
	best, bestD := "", 0
	for _, c := range cs {
		for _, n := range c.Names() {
			d := editDistance(strings.ToLower(typed), n)
			if d <= max(1, min(2, len(n)/2)) && (best == "" || d < bestD) {
				best, bestD = c.Name, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, counting a swap of
// two neighbours as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func commandNames(cs []*cli.Command) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}
