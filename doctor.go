package papersift

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/store"
)

// doctorText is what doctor embeds: short and harmless.
const doctorText = "papersift doctor: checking that this endpoint embeds text."

// DoctorOptions tune the checks.
type DoctorOptions struct {
	Timeout  time.Duration // longest wait for the endpoint's answer (default 30 s)
	Encoding string        // the vector encoding to try (default auto)
	// Repair drops the damaged and orphaned vectors the database check
	// finds (the Library must not be read-only); the next Embed embeds
	// those papers again.
	Repair bool
}

// DatabaseCheck is what the check of the database found.
type DatabaseCheck struct {
	OK        bool        `json:"ok"`
	Integrity []string    `json:"integrity"` // what SQLite's integrity check found
	Vectors   int         `json:"vectors"`   // vectors checked
	Damaged   []BadVector `json:"damaged"`   // not finite unit vectors
	Orphans   []BadVector `json:"orphans"`   // index entries or slots that point nowhere
	Repaired  bool        `json:"repaired"`
	Fix       string      `json:"fix,omitempty"` // the command that repairs what was found
}

// BadVector is a stored vector that is damaged or orphaned.
type BadVector struct {
	Model string `json:"model"`
	Paper string `json:"paper"` // its id ("" when the paper is gone)
	Why   string `json:"why"`
}

// DoctorStored is what the database holds of the active model.
type DoctorStored struct {
	Vectors    int `json:"vectors"`
	Dimensions int `json:"dimensions"`
	Papers     int `json:"papers"`
}

// DoctorReport is the check of the active embedder.
type DoctorReport struct {
	OK         bool          `json:"ok"`
	Embedder   string        `json:"embedder"`
	BaseURL    string        `json:"base_url,omitempty"`
	Model      string        `json:"model"`
	Identity   string        `json:"identity,omitempty"`
	KeySet     *bool         `json:"key_set,omitempty"`
	Dimensions int           `json:"dimensions,omitempty"`
	LatencyMS  int64         `json:"latency_ms,omitempty"`
	Encoding   string        `json:"encoding,omitempty"`
	Stored     *DoctorStored `json:"stored"`
	Warnings   []string      `json:"warnings"`
	Error      string        `json:"error,omitempty"`
	// Database is the check of the database, when there is one.
	Database *DatabaseCheck `json:"database,omitempty"`
}

// Doctor checks the active embedder: for an endpoint, one real call (model,
// dimensions, latency), and what to fix. The report is complete also when
// the check fails; the error then says what failed. It creates no database.
func (l *Library) Doctor(ctx context.Context, o DoctorOptions) (*DoctorReport, error) {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Encoding == "" {
		o.Encoding = embed.EncodingAuto
	}
	rep := &DoctorReport{Embedder: l.cfg.Embedder, Warnings: []string{}}
	var err error
	if l.cfg.Embedder == openaiKind {
		err = l.doctorEndpoint(ctx, o, rep)
	} else {
		err = l.doctorLocal(ctx, rep)
	}
	if err == nil {
		err = l.checkDatabase(ctx, o.Repair, rep)
	}
	rep.OK = err == nil && (rep.Database == nil || rep.Database.OK || rep.Database.Repaired)
	if err != nil {
		rep.Error = err.Error()
	}
	return rep, err
}

// checkDatabase checks the database, when there is one, and repairs it
// when asked.
func (l *Library) checkDatabase(ctx context.Context, repair bool, rep *DoctorReport) error {
	s, err := l.doctorStore(ctx)
	if err != nil || s == nil {
		return err
	}
	c, err := s.Check(ctx)
	if err != nil {
		return fmt.Errorf("check the database: %w", err)
	}
	dc := &DatabaseCheck{OK: c.OK(), Integrity: c.Integrity, Vectors: c.Vectors, Damaged: badVectors(c.Damaged), Orphans: badVectors(c.Orphans)}
	if dc.Integrity == nil {
		dc.Integrity = []string{}
	}
	rep.Database = dc
	switch {
	case len(c.Integrity) > 0:
		dc.Fix = "the database file is damaged: restore it from a backup if there is one, or copy what can still be read into a new file with sqlite3 FILE .recover | sqlite3 NEW.db (or papersift papers --format json, then ingest that into a new database)"
	case !dc.OK && repair:
		if _, err := s.Repair(ctx, c); err != nil {
			return fmt.Errorf("repair the database: %w", err)
		}
		dc.Repaired = true
		dc.Fix = "papersift embed (embeds the papers whose vector was dropped)"
	case !dc.OK:
		dc.Fix = "papersift doctor --repair (drops the damaged vectors), then papersift embed"
		local := true
		for _, b := range append(append([]store.BadVector(nil), c.Damaged...), c.Orphans...) {
			local = local && b.Kind == localKind
		}
		if local {
			dc.Fix += "; or papersift embed --refit"
		}
	}
	if !dc.OK && !dc.Repaired {
		return fmt.Errorf("the database check found %d damaged and %d orphaned vector(s) and %d integrity problem(s): %s",
			len(dc.Damaged), len(dc.Orphans), len(dc.Integrity), dc.Fix)
	}
	return nil
}

func badVectors(bs []store.BadVector) []BadVector {
	out := make([]BadVector, len(bs))
	for i, b := range bs {
		out[i] = BadVector{Model: b.Model, Paper: b.ID, Why: b.Why}
	}
	return out
}

// doctorStore opens the database if it exists (doctor creates none).
func (l *Library) doctorStore(ctx context.Context) (*store.Store, error) {
	if _, err := os.Stat(l.cfg.DB); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return l.db(ctx)
}

func (l *Library) doctorLocal(ctx context.Context, rep *DoctorReport) error {
	rep.Model = "built-in (TF-IDF + SVD, offline)"
	s, err := l.doctorStore(ctx)
	if err != nil || s == nil {
		if s == nil && err == nil {
			rep.Warnings = append(rep.Warnings, "no database yet: run papersift ingest")
		}
		return err
	}
	m, err := s.LatestModel(ctx, localKind)
	if errors.Is(err, store.ErrNotFound) {
		rep.Warnings = append(rep.Warnings, "the built-in model is not fitted yet: run papersift embed")
		return nil
	}
	if err != nil {
		return err
	}
	rep.Model, rep.Dimensions = m.Name, m.Dim
	return doctorStored(ctx, s, m, rep)
}

func doctorStored(ctx context.Context, s *store.Store, m *store.Model, rep *DoctorReport) error {
	counts, err := s.VectorCounts(ctx)
	if err != nil {
		return err
	}
	n, err := s.Count(ctx)
	if err != nil {
		return err
	}
	rep.Stored = &DoctorStored{Vectors: counts[m.Name], Dimensions: m.Dim, Papers: n}
	return nil
}

func (l *Library) doctorEndpoint(ctx context.Context, o DoctorOptions, rep *DoctorReport) error {
	e := l.cfg.Endpoint
	keySet := e.APIKey != ""
	rep.KeySet = &keySet
	rep.Model = e.Model
	rep.Identity = l.endpointModel()
	rep.BaseURL = RedactURL(e.BaseURL) // userinfo and query values hidden
	if u, err := url.Parse(e.BaseURL); err == nil {
		host := u.Hostname()
		if keySet && u.Scheme == "http" && !isLoopback(host) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("the key is sent unencrypted over http to %s: use https", host))
		}
		if keySet && u.Scheme == "https" && host != "api.openai.com" && strings.Contains(host, "openai.com") {
			rep.Warnings = append(rep.Warnings, "an unusual openai.com host: check --base-url")
		}
	}
	if !keySet && strings.Contains(strings.ToLower(e.BaseURL), "api.openai.com") {
		rep.Warnings = append(rep.Warnings, "OpenAI needs a key: set OPENAI_API_KEY")
	}
	s, err := l.doctorStore(ctx)
	if err != nil {
		return err
	}
	var m *store.Model
	if s != nil {
		if m, err = s.Model(ctx, rep.Identity); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	dim := 0
	if m != nil {
		dim = m.Dim
		if err := doctorStored(ctx, s, m, rep); err != nil {
			return err
		}
	}
	c, err := l.newEndpoint(EndpointTuning{Retries: 0, Timeout: o.Timeout, Encoding: o.Encoding}, 0, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	vs, err := c.Embed(ctx, []string{doctorText})
	if err != nil {
		return err
	}
	rep.LatencyMS = max(time.Since(start).Milliseconds(), 1)
	rep.Dimensions = len(vs[0])
	rep.Encoding = c.Encoding()
	if c.Encoding() == embed.EncodingFloat && o.Encoding == embed.EncodingAuto {
		rep.Warnings = append(rep.Warnings, "the endpoint refuses base64 vectors: set PAPERSIFT_ENCODING=float to save a request per run")
	}
	if dim > 0 && dim != rep.Dimensions {
		return fmt.Errorf("the endpoint now returns %d dimensions, but the %d vectors stored for %s have %d: has the model behind --model changed? use another --model name, or --dimensions",
			rep.Dimensions, rep.Stored.Vectors, rep.Identity, dim)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
