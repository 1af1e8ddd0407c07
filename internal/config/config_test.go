package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func write(t *testing.T, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	return p
}

func noWarn(t *testing.T) func(string, ...any) {
	return func(f string, a ...any) { t.Errorf("unexpected warning: "+f, a...) }
}

func TestExampleIsValid(t *testing.T) {
	var f File
	md, err := toml.Decode(Example, &f)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("the example has unknown settings: %v", und)
	}
	p := write(t, Example, 0o600)
	if _, err := Read(p, true, noWarn(t)); err != nil {
		t.Errorf("Read(example): %v", err)
	}
}

func TestRead(t *testing.T) {
	p := write(t, `db = "/x.db"
model = "m"
dimensions = 64
[digest]
k = 5
n = 3
[daily]
sources = ["hf:today", "arxiv:cs.CL"]
mail = true
[mail]
port = 465
to = ["a@example.org"]
`, 0o644)
	f, err := Read(p, true, noWarn(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.DB != "/x.db" || f.Model != "m" || f.Dimensions == nil || *f.Dimensions != 64 || f.Digest.K != int64(5) || f.Digest.N != 3 ||
		len(f.Daily.Sources) != 2 || f.Daily.Mail == nil || !*f.Daily.Mail || f.Mail.Port != 465 || f.Mail.To[0] != "a@example.org" {
		t.Errorf("read %+v", f)
	}
}

func TestReadMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.toml")
	if f, err := Read(missing, false, noWarn(t)); err != nil || f == nil || f.DB != "" {
		t.Errorf("a missing default file: %v, %v", f, err)
	}
	if f, err := Read("", false, noWarn(t)); err != nil || f == nil {
		t.Errorf("no path: %v, %v", f, err)
	}
	_, err := Read(missing, true, noWarn(t))
	if err == nil || !strings.HasPrefix(err.Error(), "configuration "+missing+": ") {
		t.Errorf("a missing explicit file: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{"db = \n", ":1: expected value but found '\\n' instead (fix the configuration file; papersift config --example shows one)"},
		{"model = \"m\"\ndb = [\n", ":2: unexpected EOF"},
		{`dimensions = "x"`, `: toml: line 1 (last key "dimensions"): incompatible types`},
		{"foo = 1\n[mail]\nbar = 2\n", ": unknown setting foo, mail.bar (papersift config --example shows the settings)"},
		{"api_key = \"x\"\nfoo = 1\n", ": unknown setting api_key, foo (the API key is read from OPENAI_API_KEY only, never from a file)"},
		{"[digest]\nk = \"many\"\n", `: [digest] k = "many": give a number or "auto"`},
		{"[digest]\nk = 1.5\n", `: [digest] k = 1.5: give a number or "auto"`},
	} {
		p := write(t, c.content, 0o600)
		_, err := Read(p, true, noWarn(t))
		if err == nil || !strings.HasPrefix(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %s%s...", c.content, err, p, c.want)
		}
	}
	for _, k := range []string{`"auto"`, `"7"`, `7`} {
		if _, err := Read(write(t, "[digest]\nk = "+k+"\n", 0o600), true, noWarn(t)); err != nil {
			t.Errorf("k = %s: %v", k, err)
		}
	}
}

func TestReadWarnsOfReadablePassword(t *testing.T) {
	var warned []string
	warn := func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	p := write(t, "[mail]\npassword = \"s\"\n", 0o644)
	f, err := Read(p, true, warn)
	if err != nil || f.Mail.Password != "s" {
		t.Fatal(f, err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "chmod 600 "+p) {
		t.Errorf("warnings: %q", warned)
	}
	warned = nil
	if _, err := Read(write(t, "[mail]\npassword = \"s\"\n", 0o600), true, warn); err != nil || len(warned) != 0 {
		t.Errorf("a private file: %v, warnings %q", err, warned)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestPath(t *testing.T) {
	for _, c := range []struct {
		env      map[string]string
		want     string
		explicit bool
	}{
		{map[string]string{"PAPERSIFT_CONFIG": "rel.toml", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "rel.toml", true},
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/papersift/config.toml", false},
		{map[string]string{"XDG_CONFIG_HOME": "relative", "HOME": "/h"}, "/h/.config/papersift/config.toml", false},
		{map[string]string{"HOME": "/h"}, "/h/.config/papersift/config.toml", false},
		{map[string]string{"HOME": "h"}, "", false},
		{nil, "", false},
	} {
		got, explicit := Path(env(c.env))
		if got != c.want || explicit != c.explicit {
			t.Errorf("%v: %q, %v; want %q, %v", c.env, got, explicit, c.want, c.explicit)
		}
	}
}

type flags map[string]string

func (f flags) IsSet(name string) bool    { _, ok := f[name]; return ok }
func (f flags) String(name string) string { return f[name] }

func TestSettingsPrecedence(t *testing.T) {
	s := &Settings{
		Flags:  flags{"model": "flag-model", "db": ""},
		Getenv: env(map[string]string{"PAPERSIFT_MODEL": "env-model", "PAPERSIFT_EMBEDDER": "env-emb", "OPENAI_API_KEY": "sk-1", "PAPERSIFT_ENCODING": ""}),
		File:   "/c.toml",
	}
	got := []string{
		s.Get("model", "model", "PAPERSIFT_MODEL", "file-model", "def"),        // flag wins
		s.Get("embedder", "embedder", "PAPERSIFT_EMBEDDER", "file-emb", "def"), // then the environment
		s.Get("base_url", "base-url", "OPENAI_BASE_URL", "file-url", "def"),    // then the file
		s.Get("encoding", "", "PAPERSIFT_ENCODING", "", "auto"),                // then the default
		s.Get("db", "db", "PAPERSIFT_DB", "file.db", "def.db"),                 // a flag set to "" still wins
		s.Secret("api_key", "OPENAI_API_KEY", ""),                              // a secret from the environment
		s.Secret("mail.password", "PAPERSIFT_SMTP_PASSWORD", "file-password"),  // from the file
		s.Secret("other", "PAPERSIFT_OTHER", ""),                               // not set
	}
	want := []string{"flag-model", "env-emb", "file-url", "auto", "", "sk-1", "file-password", ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("values %q, want %q", got, want)
	}
	wantList := []Setting{
		{"model", "flag-model", "flag --model"},
		{"embedder", "env-emb", "env PAPERSIFT_EMBEDDER"},
		{"base_url", "file-url", "config /c.toml"},
		{"encoding", "auto", "default"},
		{"db", "", "flag --db"},
		{"api_key", "set (never shown)", "env OPENAI_API_KEY"},
		{"mail.password", "set (never shown)", "config /c.toml"},
		{"other", "not set", "not set"},
	}
	if fmt.Sprint(s.List) != fmt.Sprint(wantList) {
		t.Errorf("list\n%v\nwant\n%v", s.List, wantList)
	}
}
