package main

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/papersift/papersift/internal/lazyre"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/config"
	"github.com/papersift/papersift/internal/sanitize"
)

// globals holds the global options and what every command shares.
type globals struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer // sanitised unless the output is JSON
	stderr io.Writer // sanitised
	// the process's own stdout and stderr: for JSON, and for progress bars,
	// which draw with control characters of their own
	rawStdout io.Writer
	rawStderr io.Writer
	// bars is stderr for progress bars and the endpoint's log, one write
	// at a time
	bars *syncWriter

	cfg papersift.Config
	// file is the configuration file's content, configFile its path, and
	// settings the effective global settings and their origins
	file         *config.File
	configFile   string
	settings     []config.Setting
	mailPassword string // never printed
	// hintPrefix is how the commands papersift suggests must start so that
	// they work as printed: papersift and the global flags given
	hintPrefix string
	format     string
	quiet      bool
	verbose    bool
	now        func() time.Time
	command    string // the command being run

	lib *papersift.Library
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "the configuration file (env PAPERSIFT_CONFIG; default $XDG_CONFIG_HOME/papersift/config.toml)"},
		&cli.StringFlag{Name: "db", Usage: "the SQLite database (env PAPERSIFT_DB; default $XDG_DATA_HOME/papersift/papers.db)"},
		&cli.StringFlag{Name: "embedder", Usage: "local (built-in, offline) or openai (any OpenAI-compatible /v1/embeddings endpoint) (env PAPERSIFT_EMBEDDER)"},
		&cli.StringFlag{Name: "model", Usage: "embedding model name sent to the endpoint (env PAPERSIFT_MODEL; default text-embedding-3-small)"},
		&cli.StringFlag{Name: "base-url", Usage: "endpoint base URL (env OPENAI_BASE_URL; default https://api.openai.com/v1)"},
		&cli.IntFlag{Name: "dimensions", Usage: "dimensions asked of models that support it (env PAPERSIFT_DIMENSIONS)"},
		&cli.StringFlag{Name: "format", Value: "table", Usage: "output: table, json, csv or md"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bars or notices on stderr"},
		&cli.BoolFlag{Name: "verbose", Usage: "log every request to the embedding endpoint on stderr (the key is redacted)"},
	}
}

// readOnlyCommands never write: they open the database read-only, so that
// they work on a read-only file or folder and cannot write by mistake.
var readOnlyCommands = map[string]bool{"papers": true, "similar": true, "group": true, "queue": true, "profile": true, "stats": true,
	"eval": true, "doctor": true, "show": true, "open": true, "lists": true}

// noDatabaseCommands never touch the database.
var noDatabaseCommands = map[string]bool{"": true, "help": true, "h": true, "completion": true, "man": true, "config": true}

// load reads the global flags, the environment and the configuration file
// into the library's configuration (flag > environment > file > default).
func (g *globals) load(c *cli.Context) error {
	g.command = c.Args().First()
	path, explicit := c.String("config"), c.IsSet("config")
	if explicit && strings.TrimSpace(path) == "" {
		return usagef("--config %q: give a configuration file, or leave --config out for the default", path)
	}
	if !explicit {
		path, explicit = config.Path(g.getenv)
	}
	fc, err := config.Read(path, explicit, g.warnf)
	if err != nil {
		return err
	}
	g.file, g.configFile = fc, path
	st := &config.Settings{Flags: c, Getenv: g.getenv, File: path}
	cfg := papersift.Config{Now: g.now}
	defDB, dbErr := defaultDB(g.getenv)
	cfg.DB = st.Get("db", "db", "PAPERSIFT_DB", fc.DB, defDB)
	if cfg.DB == "" && !noDatabaseCommands[g.command] {
		if dbErr == nil { // --db "" given: the default was not asked for
			dbErr = usagef("--db is empty: pass a database file, or leave --db out for the default (%s)", defDB)
		}
		return dbErr
	}
	cfg.Embedder = st.Get("embedder", "embedder", "PAPERSIFT_EMBEDDER", fc.Embedder, papersift.EmbedderLocal)
	if cfg.Embedder != papersift.EmbedderLocal && cfg.Embedder != papersift.EmbedderOpenAI {
		return g.settingError(st, "embedder", fmt.Sprintf("%q: use local or openai", cfg.Embedder))
	}
	e := &cfg.Endpoint
	e.Model = st.Get("model", "model", "PAPERSIFT_MODEL", fc.Model, "text-embedding-3-small")
	e.BaseURL = st.Get("base_url", "base-url", "OPENAI_BASE_URL", fc.BaseURL, "https://api.openai.com/v1")
	st.Shown("base_url", papersift.RedactURL) // config lists it without its password or key
	if u, err := url.Parse(e.BaseURL); cfg.Embedder == papersift.EmbedderOpenAI && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		// found now, not after an ingest has stored its papers
		return g.settingError(st, "base_url", fmt.Sprintf("%q: give the endpoint's http(s) address, like https://api.openai.com/v1", papersift.RedactURL(e.BaseURL)))
	}
	fileDims := ""
	if fc.Dimensions != nil {
		fileDims = strconv.Itoa(*fc.Dimensions)
	}
	dims := st.Get("dimensions", "", "PAPERSIFT_DIMENSIONS", fileDims, "0")
	if c.IsSet("dimensions") {
		dims = strconv.Itoa(c.Int("dimensions"))
		st.List[len(st.List)-1] = config.Setting{Name: "dimensions", Value: dims, Origin: "flag --dimensions"}
	}
	n, err := strconv.Atoi(dims)
	if err != nil {
		return usagef("dimensions %q (%s) is not a number", dims, st.List[len(st.List)-1].Origin)
	}
	e.Dimensions = n
	if e.Dimensions < 0 || e.Dimensions > maxDimensions {
		return g.settingError(st, "dimensions", fmt.Sprintf("%d: give 0 (the model's own) or a number up to %d", e.Dimensions, maxDimensions))
	}
	e.Encoding = st.Get("encoding", "", "PAPERSIFT_ENCODING", fc.Encoding, "auto")
	e.APIKey = st.Secret("api_key", "OPENAI_API_KEY", "")
	cfg.Services.HF = st.Get("services.hf", "", "PAPERSIFT_HF_URL", fc.Services.HF, "https://huggingface.co")
	cfg.Services.ArxivFeed = st.Get("services.arxiv_feed", "", "PAPERSIFT_ARXIV_FEED_URL", fc.Services.ArxivFeed, "https://rss.arxiv.org")
	cfg.Services.ArxivAPI = st.Get("services.arxiv_api", "", "PAPERSIFT_ARXIV_API_URL", fc.Services.ArxivAPI, "https://export.arxiv.org")
	for _, name := range []string{"services.hf", "services.arxiv_feed", "services.arxiv_api"} {
		st.Shown(name, papersift.RedactURL)
	}
	g.mailPassword = st.Secret("mail.password", "PAPERSIFT_SMTP_PASSWORD", fc.Mail.Password)
	listFileSettings(st, fc)
	g.settings = st.List
	g.format = c.String("format")
	switch g.format {
	case "table", "json", "csv", "md":
	default:
		return usagef("--format %q: use table, json, csv or md", g.format)
	}
	if g.format != "json" {
		g.stdout = sanitize.NewWriter(g.rawStdout)
	}
	g.quiet = c.Bool("quiet")
	g.verbose = c.Bool("verbose")
	if g.verbose {
		e.Logf = func(format string, a ...any) {
			fmt.Fprintf(g.bars, "papersift: %s\n", sanitize.String(fmt.Sprintf(format, a...)))
		}
	}
	if v := g.getenv("PAPERSIFT_BULK_BYTES"); v != "" {
		// the size from which an ingest is a bulk one (tests make small
		// ingests bulk ones)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return usagef("PAPERSIFT_BULK_BYTES=%q: give a size in bytes", v)
		}
		cfg.BulkBytes = max(n, 1)
	}
	g.hintPrefix = "papersift"
	for _, f := range []string{"config", "db", "embedder", "base-url", "model", "dimensions"} {
		if c.IsSet(f) {
			v := c.String(f)
			switch f {
			case "dimensions":
				v = strconv.Itoa(c.Int(f))
			case "base-url":
				v = papersift.RedactURL(v) // never its password or key
			}
			g.hintPrefix += " --" + f + " " + shellQuote(v)
		}
	}
	cfg.ReadOnly = readOnlyCommands[g.command]
	cfg.Events = g
	lib, err := papersift.New(cfg)
	if err != nil {
		return err
	}
	g.cfg, g.lib = cfg, lib
	return nil
}

// listFileSettings lists, for config, the settings that only the
// configuration file gives (the commands' flags override some of them).
func listFileSettings(st *config.Settings, fc *config.File) {
	str := func(v any, set bool) string {
		if !set {
			return ""
		}
		return fmt.Sprint(v)
	}
	mail := ""
	if fc.Daily.Mail != nil {
		mail = strconv.FormatBool(*fc.Daily.Mail)
	}
	for _, s := range []struct {
		name, value, def string
	}{
		{"digest.k", str(fc.Digest.K, fc.Digest.K != nil), "auto (-k)"},
		{"digest.n", str(fc.Digest.N, fc.Digest.N != 0), "10 (-n)"},
		{"daily.sources", strings.Join(fc.Daily.Sources, ", "), "none (give them to papersift daily)"},
		{"daily.out", fc.Daily.Out, "daily/ beside the database (--out)"},
		{"daily.mail", mail, "false (--mail)"},
		{"mail.host", fc.Mail.Host, "not set"},
		{"mail.port", str(fc.Mail.Port, fc.Mail.Port != 0), "587 (465 for tls, 25 for none)"},
		{"mail.security", fc.Mail.Security, "starttls"},
		{"mail.user", fc.Mail.User, "not set"},
		{"mail.from", fc.Mail.From, "not set"},
		{"mail.to", strings.Join(fc.Mail.To, ", "), "not set"},
		{"mail.ca", fc.Mail.CA, "the system's"},
	} {
		st.Get(s.name, "", "", s.value, s.def)
	}
}

// settingError says that setting name's value is wrong, where it came
// from: a flag or the environment is wrong usage (exit 2), the
// configuration file's value names the file (exit 1).
func (g *globals) settingError(st *config.Settings, name, msg string) error {
	origin := ""
	for _, s := range st.List {
		if s.Name == name {
			origin = s.Origin
		}
	}
	switch {
	case strings.HasPrefix(origin, "config "):
		return fmt.Errorf("%s: %s = %s (fix the configuration file)", g.configFile, name, msg)
	case strings.HasPrefix(origin, "env "):
		return usagef("%s=%s", strings.TrimPrefix(origin, "env "), msg)
	}
	return usagef("--%s %s", strings.ReplaceAll(name, "_", "-"), msg)
}

// defaultDB is $XDG_DATA_HOME/papersift/papers.db, else
// $HOME/.local/share/papersift/papers.db. Relative paths in either are
// ignored, as the XDG specification says; with neither usable, the reader
// must say where the database goes (a database in whatever folder papersift
// runs from would look like lost likes).
func defaultDB(getenv func(string) string) (string, error) {
	base := getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(base) {
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", usagef("no folder for the database: HOME is %s and XDG_DATA_HOME %s; "+
				"set PAPERSIFT_DB=/path/to/papers.db (or XDG_DATA_HOME or HOME to an absolute path), or pass --db FILE", describeEnv(home), describeXDG(base))
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "papersift", "papers.db"), nil
}

func describeEnv(v string) string {
	if v == "" {
		return "empty"
	}
	return fmt.Sprintf("%q, not an absolute path", v)
}

func describeXDG(v string) string {
	if v == "" {
		return "is not set"
	}
	return "is " + describeEnv(v)
}

// Notice writes a notice to stderr unless --quiet (papersift.Events).
func (g *globals) Notice(msg string) {
	if !g.quiet {
		fmt.Fprintln(g.stderr, g.hints(msg))
	}
}

// Warning writes a warning to stderr, even with --quiet (papersift.Events).
func (g *globals) Warning(msg string) {
	fmt.Fprintln(g.stderr, "warning: "+g.hints(msg))
}

// hintRe finds the commands a message suggests ("run papersift embed").
var hintRe = lazyre.New(`\bpapersift (ingest|embed|papers|similar|group|like|dislike|read|unrate|interest|profile|queue|eval|digest|daily|show|open|lists|stats|doctor|config)\b`)

// hints makes the commands a message suggests work as printed: with the
// global flags this run was given (--db, --embedder, --model...).
func (g *globals) hints(msg string) string {
	if g.hintPrefix == "" || g.hintPrefix == "papersift" {
		return msg
	}
	return hintRe.ReplaceAllString(msg, strings.ReplaceAll(g.hintPrefix, "$", "$$")+" $1")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writable makes the library open the database read-write: for a command
// that only reads unless a flag asks it to write.
func (g *globals) writable() error { return g.reopen(false) }

// readOnly makes the library open the database read-only: for a command
// that writes only when given something to write.
func (g *globals) readOnly() error { return g.reopen(true) }

func (g *globals) reopen(readOnly bool) error {
	g.lib.Close()
	g.cfg.ReadOnly = readOnly
	lib, err := papersift.New(g.cfg)
	if err != nil {
		return err
	}
	g.lib = lib
	return nil
}

func (g *globals) notef(format string, a ...any) { g.Notice(fmt.Sprintf(format, a...)) }

func (g *globals) warnf(format string, a ...any) { g.Warning(fmt.Sprintf(format, a...)) }
