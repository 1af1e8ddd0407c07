// Package config reads papersift's configuration file, config.toml, and
// resolves each setting by precedence: flag > environment > file >
// built-in default, remembering where each came from.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// File is the configuration file, config.toml. Every field is optional;
// the file sets defaults that the environment and flags override.
type File struct {
	DB         string `toml:"db"`
	Embedder   string `toml:"embedder"`
	BaseURL    string `toml:"base_url"`
	Model      string `toml:"model"`
	Dimensions *int   `toml:"dimensions"`
	Encoding   string `toml:"encoding"`
	Services   struct {
		HF        string `toml:"hf"`
		ArxivFeed string `toml:"arxiv_feed"`
		ArxivAPI  string `toml:"arxiv_api"`
	} `toml:"services"`
	Digest struct {
		K any `toml:"k"` // a number or "auto"
		N int `toml:"n"`
	} `toml:"digest"`
	Daily struct {
		Sources []string `toml:"sources"`
		Out     string   `toml:"out"`  // the folder of the digest files
		Mail    *bool    `toml:"mail"` // send it every run (as --mail does)
	} `toml:"daily"`
	Mail struct {
		Host     string   `toml:"host"`
		Port     int      `toml:"port"`
		Security string   `toml:"security"` // starttls (default), tls, none
		User     string   `toml:"user"`
		Password string   `toml:"password"` // better: PAPERSIFT_SMTP_PASSWORD
		From     string   `toml:"from"`
		To       []string `toml:"to"`
		CA       string   `toml:"ca"` // a PEM file of certificate authorities to trust (a private CA)
	} `toml:"mail"`
}

// Example is a commented config.toml: `papersift config --example`.
const Example = `# papersift configuration: ~/.config/papersift/config.toml
# (or $XDG_CONFIG_HOME/papersift/config.toml, --config FILE, PAPERSIFT_CONFIG).
# Every setting is optional. Flags and environment variables override it.

# db = "/home/me/papers/papers.db"
# embedder = "local"                           # or "openai": an OpenAI-compatible endpoint
# base_url = "http://localhost:11434/v1"       # the endpoint (the key: OPENAI_API_KEY, never here)
# model = "nomic-embed-text"
# dimensions = 0                               # 0: the model's own
# encoding = "auto"                            # auto, base64 or float

[digest]
# k = "auto"                                   # topics: a number or "auto"
# n = 10                                       # length of the reading queue

[daily]
sources = ["hf:today"]                         # also arxiv:cs.CL,cs.LG, files, folders, URLs
# out = "/home/me/papersift"                   # where daily writes papersift.html, papersift.md, papersift.atom
# mail = false                                 # mail the digest on every run (as --mail)

[mail]
# host = "smtp.example.org"
# port = 587
# security = "starttls"                        # starttls, tls (port 465) or none (a local relay)
# user = "me@example.org"                      # the password: PAPERSIFT_SMTP_PASSWORD (or password = "...")
# from = "papersift <me@example.org>"
# to = ["me@example.org"]

[services]                                     # the services behind hf: and arxiv: (for tests and mirrors)
# hf = "https://huggingface.co"
# arxiv_feed = "https://rss.arxiv.org"
# arxiv_api = "https://export.arxiv.org"
`

// Path is where the configuration file is when no flag names it, and
// whether it was named explicitly (then it must exist): PAPERSIFT_CONFIG,
// else $XDG_CONFIG_HOME/papersift/config.toml, else
// $HOME/.config/papersift/config.toml; "" when neither XDG_CONFIG_HOME
// nor HOME is an absolute path.
func Path(getenv func(string) string) (string, bool) {
	if p := getenv("PAPERSIFT_CONFIG"); p != "" {
		return p, true
	}
	base := getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(base) {
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", false
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "papersift", "config.toml"), false
}

// maxFileBytes is the largest configuration file (or CA file) read: a few
// KB is what one takes, and /dev/zero would never end.
const maxFileBytes = 1 << 20

// readSmall reads a regular file of at most maxFileBytes (a FIFO would
// block, a device never end).
func readSmall(path string) ([]byte, error) {
	// looked at before it is opened: opening a FIFO waits for a writer
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, fmt.Errorf("is a folder, not a file")
		}
		return nil, fmt.Errorf("is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err == nil && len(data) > maxFileBytes {
		err = fmt.Errorf("is larger than %d MB: not a file of settings", maxFileBytes>>20)
	}
	return data, err
}

// ReadSmall reads a file a setting names (a CA certificate), as Read reads
// the configuration: a regular file of at most 1 MB.
func ReadSmall(path string) ([]byte, error) { return readSmall(path) }

// secretLine reports whether line n (1-based) of data sets a password or
// key, whose text an error must not repeat.
func secretLine(data []byte, n int) bool {
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return true // unknown: say nothing of it
	}
	key, _, _ := strings.Cut(strings.ToLower(lines[n-1]), "=")
	return strings.Contains(key, "password") || strings.Contains(key, "key") || strings.Contains(key, "secret") || strings.Contains(key, "token")
}

// Read reads the configuration file at path. A path of "" and a missing
// or unreadable default file (not explicit) are an empty configuration.
// Errors name the file, and the line or the setting at fault; warn is told
// of a password in a file that others may read.
func Read(path string, explicit bool, warn func(string, ...any)) (*File, error) {
	fc := &File{}
	if path == "" {
		return fc, nil
	}
	data, err := readSmall(path)
	if !explicit && errors.Is(err, fs.ErrNotExist) {
		return fc, nil
	}
	if _, serr := os.Stat(path); !explicit && errors.Is(serr, fs.ErrPermission) {
		// a home papersift may not look into (run as another user): no
		// file it could know of
		return fc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	md, err := toml.Decode(string(data), fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := pe.Message
			if secretLine(data, pe.Position.Line) {
				// the parser quotes what it found: never a password
				msg = "the value is not TOML (quote it: password = \"...\")"
			}
			return nil, fmt.Errorf("%s:%d: %s (fix the configuration file; papersift config --example shows one)", path, pe.Position.Line, msg)
		}
		return nil, fmt.Errorf("%s: %v (fix the configuration file; papersift config --example shows one)", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		hint := "papersift config --example shows the settings"
		for _, k := range keys {
			if strings.Contains(strings.ToLower(k), "key") {
				hint = "the API key is read from OPENAI_API_KEY only, never from a file"
			}
		}
		return nil, fmt.Errorf("%s: unknown setting %s (%s)", path, strings.Join(keys, ", "), hint)
	}
	if fc.Mail.Password != "" {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			warn("%s holds the SMTP password and others may read it: chmod 600 %s (or use PAPERSIFT_SMTP_PASSWORD)", path, path)
		}
	}
	switch k := fc.Digest.K.(type) {
	case nil, int64:
	case string:
		if k != "auto" {
			if _, err := strconv.Atoi(k); err != nil {
				return nil, fmt.Errorf("%s: [digest] k = %q: give a number or \"auto\"", path, k)
			}
		}
	default:
		return nil, fmt.Errorf("%s: [digest] k = %v: give a number or \"auto\"", path, k)
	}
	return fc, nil
}

// Setting is one effective setting and where it came from.
type Setting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Origin string `json:"origin"` // "flag --model", "env PAPERSIFT_MODEL", "config FILE", "default"
}

// Flags are the command line's flags as urfave/cli's Context shows them.
type Flags interface {
	IsSet(name string) bool
	String(name string) string
}

// Settings resolves settings by precedence (flag > environment > file >
// default) and lists each with where it came from.
type Settings struct {
	Flags  Flags
	Getenv func(string) string
	File   string // the configuration file's path, for the origins
	List   []Setting
}

// Get resolves one setting: flag (may be "", none), env (may be ""), the
// file's value (fileVal, set when non-empty) and the default.
func (s *Settings) Get(name, flag, env, fileVal, def string) string {
	set := func(v, origin string) string {
		s.List = append(s.List, Setting{Name: name, Value: v, Origin: origin})
		return v
	}
	if flag != "" && s.Flags.IsSet(flag) {
		return set(s.Flags.String(flag), "flag --"+flag)
	}
	if env != "" {
		if v := s.Getenv(env); v != "" {
			return set(v, "env "+env)
		}
	}
	if fileVal != "" {
		return set(fileVal, "config "+s.File)
	}
	return set(def, "default")
}

// Shown replaces the listed value of setting name by what show makes of
// it (a URL without its credentials).
func (s *Settings) Shown(name string, show func(string) string) {
	for i := range s.List {
		if s.List[i].Name == name {
			s.List[i].Value = show(s.List[i].Value)
		}
	}
}

// Secret resolves a secret setting (environment > file) and lists it
// without its value.
func (s *Settings) Secret(name, env, fileVal string) string {
	origin, v := "not set", ""
	switch {
	case env != "" && s.Getenv(env) != "":
		origin, v = "env "+env, s.Getenv(env)
	case fileVal != "":
		origin, v = "config "+s.File, fileVal
	}
	shown := "not set"
	if v != "" {
		shown = "set (never shown)"
	}
	s.List = append(s.List, Setting{Name: name, Value: shown, Origin: origin})
	return v
}
