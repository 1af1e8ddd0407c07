package papersift

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yuin/goldmark"

	"github.com/papersift/papersift/digest"
	"github.com/papersift/papersift/internal/config"
	"github.com/papersift/papersift/mailer"
	"github.com/papersift/papersift/store"
)

// Mail is where and how daily mails the digest.
type Mail struct {
	Host     string
	Port     int
	Security string // starttls (default), tls or none
	User     string
	Password string // sent to Host only; never printed, logged or stored
	From     string
	To       []string
	// CAFile is a PEM file of the certificate authorities to trust for the
	// server's certificate, beside the system's (a private CA; tests).
	CAFile string
}

// DailyOptions say what the day's job fetches, where it writes the digest,
// and whether it mails it.
type DailyOptions struct {
	Sources []string // named sources (hf:today, arxiv:cs.CL), URLs, files, folders
	Out     string   // the folder of the digest files (created when missing)
	K       int      // topics (0: auto)
	Seed    uint64
	N       int   // length of the reading queue (default 10)
	Mail    *Mail // nil: no mail
	// Force mails even when the digest is the one mailed last.
	Force bool
}

// DailyResult is what the day's job did.
type DailyResult struct {
	Digest *Digest   `json:"digest"`          // nil when the sources had no papers
	Files  []string  `json:"files"`           // the files written
	Mailed bool      `json:"mailed"`          // a mail was sent
	Mail   string    `json:"mail,omitempty"`  // what happened to the mail, in words
	Empty  []string  `json:"empty,omitempty"` // sources with no papers, and why
	Note   string    `json:"note,omitempty"`
	When   time.Time `json:"-"`
}

// The files daily writes in its folder.
const (
	DailyHTML = "papersift.html"
	DailyMD   = "papersift.md"
	DailyFeed = "papersift.atom"
)

// mailKey is the meta key of the digest mailed last.
const mailKey = "daily.mailed"

// Daily is the reader's morning: it fetches and ingests the sources
// (only what is new is stored and embedded), groups the day's lists into
// topics, ranks them against the reader's profile, writes the digest as an
// HTML page, Markdown and an Atom feed into Out, and mails it when asked,
// unless the same digest was mailed before (Force mails anyway). A day with
// no papers is said, not an error.
func (l *Library) Daily(ctx context.Context, o DailyOptions) (*DailyResult, error) {
	if len(o.Sources) == 0 {
		return nil, optionErrorf("daily needs sources: give them (papersift daily hf:today arxiv:cs.CL) or set [daily] sources in the configuration file")
	}
	if o.Out == "" {
		return nil, optionErrorf("daily needs a folder for the digest: --out DIR, or [daily] out in the configuration file")
	}
	var server mailer.Server
	if o.Mail != nil {
		var err error
		if server, err = o.Mail.server(); err != nil {
			return nil, err
		}
		if err := mailer.Check(server, mailer.Message{From: o.Mail.From, To: o.Mail.To}); err != nil {
			return nil, err
		}
		if err := mailer.Reach(ctx, server); err != nil {
			return nil, err
		}
	}
	res := &DailyResult{Files: []string{}, When: l.cfg.Now()}
	in, err := l.Ingest(ctx, IngestOptions{Sources: o.Sources})
	var partial *EmbedFailures
	switch {
	case errors.As(err, &partial) && in != nil:
		l.warnf("%v", err)
	case err != nil:
		return nil, err
	}
	res.Empty = in.Empty
	if len(in.Lists) == 0 {
		res.Note = "no papers in the sources today: nothing to digest"
		return res, nil
	}
	d, err := l.Digest(ctx, DigestOptions{Lists: in.Lists, K: o.K, Seed: o.Seed, N: o.N})
	if err != nil {
		return nil, err
	}
	d.Ingest = in
	res.Digest = d
	page, err := l.Page(ctx, d, true)
	if err != nil {
		return nil, err
	}
	var html, md, feed bytes.Buffer
	if err := digest.HTML(&html, page); err != nil {
		return nil, err
	}
	if err := digest.Markdown(&md, page); err != nil {
		return nil, err
	}
	if err := writeFeed(&feed, page, res.When, feedID(o.Out)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("the digest's folder %s: %w", o.Out, err)
	}
	paths := []string{filepath.Join(o.Out, DailyHTML), filepath.Join(o.Out, DailyMD), filepath.Join(o.Out, DailyFeed)}
	if err := WriteFilesAtomic(paths, [][]byte{html.Bytes(), md.Bytes(), feed.Bytes()}); err != nil {
		return nil, err
	}
	res.Files = append(res.Files, paths...)
	if o.Mail == nil {
		res.Mail = "not asked (--mail sends it)"
		return res, nil
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	key := digestKey(d)
	last, err := s.Meta(ctx, mailKey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if last == key && !o.Force {
		res.Mail = "not sent: the same digest was mailed before (--force sends it again)"
		return res, nil
	}
	var body bytes.Buffer
	if err := goldmark.Convert(md.Bytes(), &body); err != nil {
		return nil, err
	}
	msg := mailer.Message{From: o.Mail.From, To: o.Mail.To, Subject: mailSubject(d), Text: md.String(),
		HTML: "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + body.String() + "</body></html>\n", Date: res.When}
	if err := mailer.Send(ctx, server, msg); err != nil {
		res.Mail = "not sent (the error below)"
		return res, fmt.Errorf("the digest is written (%s), but %w", strings.Join(res.Files, ", "), err)
	}
	if err := s.SetMeta(ctx, mailKey, key); err != nil {
		return res, err
	}
	res.Mailed, res.Mail = true, "sent to "+strings.Join(o.Mail.To, ", ")
	return res, nil
}

func (m *Mail) server() (mailer.Server, error) {
	s := mailer.Server{Host: m.Host, Port: m.Port, Security: m.Security, User: m.User, Password: m.Password}
	if m.CAFile != "" {
		pem, err := config.ReadSmall(m.CAFile) // a regular file of at most 1 MB
		if err != nil {
			return s, fmt.Errorf("[mail] ca: %s: %w", m.CAFile, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return s, fmt.Errorf("[mail] ca: %s holds no PEM certificate", m.CAFile)
		}
		s.TLSConfig = &tls.Config{RootCAs: pool, ServerName: m.Host}
	}
	return s, nil
}

// feedID is the daily feed's permanent identity: its folder's.
func feedID(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	h := sha256.Sum256([]byte("papersift daily feed\n" + abs))
	x := hex.EncodeToString(h[:16])
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// digestKey identifies what a digest tells the reader: its lists, its
// queue, and its topics' papers. The same key: nothing new to mail.
func digestKey(d *Digest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", d.List)
	for _, q := range d.Queue {
		fmt.Fprintf(h, "q %s\n", q.ID)
	}
	for _, c := range d.Groups.Clusters {
		for _, p := range c.Papers {
			fmt.Fprintf(h, "t %d %s\n", c.ID, p.ID)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func mailSubject(d *Digest) string {
	n := 0
	for _, c := range d.Groups.Clusters {
		n += c.Size
	}
	s := fmt.Sprintf("papersift: %s, %d papers in %d topics", d.List, n, len(d.Groups.Clusters))
	if len(d.Queue) > 0 {
		s += fmt.Sprintf(", %d to read first", len(d.Queue))
	}
	return s
}

// WriteFileAtomic writes data to a temporary file beside path and renames
// it: the file appears whole or not at all.
func WriteFileAtomic(path string, data []byte) error {
	return WriteFilesAtomic([]string{path}, [][]byte{data})
}

// WriteFilesAtomic writes each data to its path as WriteFileAtomic does,
// all written before any is renamed, and none when a path is a folder or
// a special file: a digest's page, Markdown and feed are replaced together
// (short of a rename failing midway, which nothing checked here foresees).
func WriteFilesAtomic(paths []string, data [][]byte) error {
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: it is %s, not a file: move it away or write elsewhere", path, kindOf(st.Mode()))
		}
	}
	tmps := make([]string, 0, len(paths))
	defer func() {
		for _, tmp := range tmps {
			os.Remove(tmp) // those not renamed
		}
	}()
	for i, path := range paths {
		tmp, err := writeTemp(path, data[i])
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		tmps = append(tmps, tmp)
	}
	for i, path := range paths {
		if err := os.Rename(tmps[i], path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		tmps[i] = ""
	}
	return nil
}

// kindOf names what a path that is not a regular file is.
func kindOf(m fs.FileMode) string {
	if m.IsDir() {
		return "a folder"
	}
	return "a special file"
}

// writeTemp writes data to a new temporary file beside path.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		// the folder, not the temporary file's name the reader never asked for
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("the folder %s: %w", filepath.Dir(path), pe.Err)
		}
		return "", err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}
