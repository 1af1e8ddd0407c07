package main

import (
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/papersift/papersift/internal/smtptest"
)

// services stands in for Hugging Face's Daily Papers API and arXiv's
// announcement feeds, with the real answers' shapes.
func services(t *testing.T) *httptest.Server {
	t.Helper()
	day := "../../testdata/seed-two.hf.json"
	if _, err := os.Stat("../../../shared/data/hf-json/2026-08-19.json"); err == nil {
		day = "../../../shared/data/hf-json/2026-08-19.json"
	}
	hf, err := os.ReadFile(day)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := os.ReadFile("../../ingest/testdata/arxiv-rss.xml")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/daily_papers" && r.URL.Query().Get("date") != "":
			w.Header().Set("Content-Type", "application/json")
			w.Write(hf)
		case strings.HasPrefix(r.URL.Path, "/rss/"):
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(feed)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDailyEndToEnd: daily fetches a Daily Papers day and an arXiv feed
// from local stand-ins, writes the digest and its Atom feed, and mails it
// through a real SMTP server (STARTTLS, a password); a second run with
// nothing new mails nothing.
func TestDailyEndToEnd(t *testing.T) {
	svc := services(t)
	smtp, err := smtptest.Start("reader@example.org", "mail-s3cret-pw")
	if err != nil {
		t.Fatal(err)
	}
	defer smtp.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, smtp.CertPEM, 0o600)
	out := filepath.Join(dir, "digest")
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(`
[daily]
sources = ["hf:today", "arxiv:cs.CL"]
out = "`+out+`"

[mail]
host = "127.0.0.1"
port = `+strconv.Itoa(smtp.Port)+`
security = "starttls"
user = "reader@example.org"
from = "papersift <reader@example.org>"
to = ["reader@example.org"]
ca = "`+ca+`"

[services]
hf = "`+svc.URL+`"
arxiv_feed = "`+svc.URL+`"
arxiv_api = "`+svc.URL+`"
`), 0o600)
	c := newCLI(t)
	c.env["PAPERSIFT_CONFIG"] = cfg
	c.env["PAPERSIFT_SMTP_PASSWORD"] = "mail-s3cret-pw"
	c.ok("ingest", seedFile)
	c.ok("like", "Brain-IT", "MEG-GPT")
	r := c.run("daily", "--mail")
	if r.code != 0 {
		t.Fatalf("daily: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "mail-s3cret-pw") {
		t.Errorf("the SMTP password is printed")
	}
	got := smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("%d mails received, want 1\n%s", len(got), r.stdout)
	}
	text, html := mailParts(t, got[0].Data)
	if !strings.Contains(text, "Read first") || !strings.Contains(html, "<h2>Read first</h2>") || !strings.Contains(text, "Sifting Papers with Small Language Models") {
		t.Errorf("the mail lacks the queue or the day's papers:\n%.1500s", text)
	}
	if strings.Count(html, "<h2>") < 2 {
		t.Errorf("the mail's HTML has no topics:\n%.1500s", html)
	}
	// the feed: strict Atom, one entry per queued paper, each with its link
	var res struct {
		Digest struct {
			Queue []struct{ ID, Title string } `json:"queue"`
		} `json:"digest"`
		Files  []string `json:"files"`
		Mailed bool     `json:"mailed"`
	}
	data, err := os.ReadFile(filepath.Join(out, "papersift.atom"))
	if err != nil {
		t.Fatal(err)
	}
	entries := strictAtom(t, data)
	// a second run: nothing new, nothing mailed
	c.json(&res, "daily", "--mail")
	if res.Mailed || len(smtp.Messages()) != 1 {
		t.Errorf("the second run mailed again")
	}
	if len(res.Files) != 3 || len(res.Digest.Queue) == 0 {
		t.Errorf("second run: %+v", res)
	}
	if len(entries) != len(res.Digest.Queue) {
		t.Errorf("the feed has %d entries, the queue %d", len(entries), len(res.Digest.Queue))
	}
	for i, e := range entries {
		if e.Title != res.Digest.Queue[i].Title {
			t.Errorf("entry %d is %q, the queue's %q", i, e.Title, res.Digest.Queue[i].Title)
		}
	}
	// --force mails the same digest again
	c.ok("daily", "--mail", "--force")
	if len(smtp.Messages()) != 2 {
		t.Errorf("--force sent %d mails in all, want 2", len(smtp.Messages()))
	}
	for _, f := range []string{"papersift.html", "papersift.md"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// mailParts returns the text and HTML parts of a multipart message.
func mailParts(t *testing.T, data []byte) (string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("not multipart/alternative: %q", msg.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	return parts["text/plain"], parts["text/html"]
}

type atomEntryT struct {
	ID      string `xml:"id"`
	Title   string `xml:"title"`
	Updated string `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
}

// strictAtom parses an Atom feed strictly and checks what RFC 4287
// requires of a feed and its entries.
func strictAtom(t *testing.T, data []byte) []atomEntryT {
	t.Helper()
	var feed struct {
		XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string       `xml:"id"`
		Title   string       `xml:"title"`
		Updated string       `xml:"updated"`
		Entries []atomEntryT `xml:"entry"`
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	dec.Strict = true
	if err := dec.Decode(&feed); err != nil {
		t.Fatalf("the feed is not Atom: %v", err)
	}
	if feed.ID == "" || feed.Title == "" {
		t.Errorf("the feed lacks its id or title")
	}
	if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil {
		t.Errorf("feed updated %q: %v", feed.Updated, err)
	}
	for _, e := range feed.Entries {
		if e.ID == "" || e.Title == "" {
			t.Errorf("an entry lacks its id or title: %+v", e)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
		alt := false
		for _, l := range e.Links {
			alt = alt || (l.Rel == "" || l.Rel == "alternate") && strings.HasPrefix(l.Href, "http")
		}
		if !alt {
			t.Errorf("entry %q has no link to the paper", e.Title)
		}
	}
	return feed.Entries
}

// TestDailyBadInput: a malformed configuration names its file and line, an
// unknown source and an unreachable SMTP server are clear errors, and
// nothing is written.
func TestDailyBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	c := newCLI(t)
	c.env["PAPERSIFT_CONFIG"] = cfg
	os.WriteFile(cfg, []byte("[daily]\nsources = [\"hf:today\"\nout = 3\n"), 0o600)
	if r := c.run("daily"); r.code != 1 || !strings.Contains(r.stderr, cfg+":") {
		t.Errorf("a malformed configuration: exit %d: %s", r.code, r.stderr)
	}
	os.WriteFile(cfg, []byte("[daily]\nsources = [\"hf:someday\"]\nout = \""+filepath.Join(dir, "o")+"\"\n"), 0o600)
	// the configuration file's mistake: exit 1, naming the file
	if r := c.run("daily"); r.code != 1 || !strings.Contains(r.stderr, "hf:someday") || !strings.Contains(r.stderr, cfg+": [daily] sources") {
		t.Errorf("an unknown source in the configuration file: exit %d: %s", r.code, r.stderr)
	}
	// the command line's: exit 2
	if r := c.run("daily", "hf:someday"); r.code != 2 || !strings.Contains(r.stderr, "hf:someday") {
		t.Errorf("an unknown source on the command line: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(c.db); err == nil {
		t.Errorf("a failed daily created the database")
	}
	svc := services(t)
	os.WriteFile(cfg, []byte("[daily]\nsources = [\"hf:today\"]\nout = \""+filepath.Join(dir, "o")+"\"\n[services]\nhf = \""+svc.URL+
		"\"\n[mail]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"none\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n"), 0o600)
	r := c.run("daily", "--mail")
	if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Errorf("an unreachable SMTP server: exit %d: %s", r.code, r.stderr)
	}
	// the server is tried first: nothing is fetched, stored or written
	if _, err := os.Stat(c.db); err == nil {
		t.Errorf("daily stored papers although it cannot mail")
	}
	if _, err := os.Stat(filepath.Join(dir, "o")); err == nil {
		t.Errorf("daily wrote the digest although it cannot mail")
	}
}
