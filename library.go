package papersift

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/ingest"
	"github.com/papersift/papersift/store"
)

// The embedders.
const (
	EmbedderLocal  = "local"  // the built-in offline model
	EmbedderOpenAI = "openai" // an OpenAI-compatible /v1/embeddings endpoint
)

// Config says which database and embedder a Library works with. The zero
// value of every field but DB means its default.
type Config struct {
	// DB is the path of the SQLite database; its folder is created on first
	// use by an operation that writes.
	DB string
	// ReadOnly opens the database for reading only (see store.Options):
	// for operations that only read, which then work on a read-only file
	// and cannot write by mistake.
	ReadOnly bool
	// Embedder is EmbedderLocal (default) or EmbedderOpenAI.
	Embedder string
	// Endpoint configures EmbedderOpenAI.
	Endpoint Endpoint
	// Events receives notices, warnings and progress (nil: none).
	Events Events
	// Now is the clock (default time.Now): today's list name, timestamps.
	Now func() time.Time
	// BulkBytes is the size of listing from which an ingest into an empty
	// database is a bulk one (see store.IngestOptions); 0 means 64 MB.
	BulkBytes int64
	// HTTPClient fetches listings from URLs (default http.DefaultClient).
	HTTPClient *http.Client
	// Services are the addresses of the services behind named sources
	// (hf:DAY, arxiv:CAT): empty fields are the real services.
	Services Services
}

// Services are the addresses of the services named sources read.
type Services struct {
	HF        string // Hugging Face (its /api/daily_papers), default https://huggingface.co
	ArxivFeed string // arXiv's announcement feeds (/rss/CAT), default https://rss.arxiv.org
	ArxivAPI  string // arXiv's API (/api/query), default https://export.arxiv.org
}

// Endpoint is an OpenAI-compatible embeddings endpoint.
type Endpoint struct {
	BaseURL    string // default embed.DefaultBaseURL
	APIKey     string // sent as a bearer token to BaseURL's host only; never printed, logged or stored
	Model      string
	Dimensions int    // asked of models that support it (0: the model's own)
	Encoding   string // vector encoding: auto (default), base64 or float
	// Logf, when set, receives one line per request (secrets redacted).
	Logf func(format string, args ...any)
}

// Identity is the model identity of the endpoint's vectors: base URL, model
// and dimensions (never the key).
func (e Endpoint) Identity() string {
	return embed.OpenAIIdentity(e.BaseURL, e.Model, e.Dimensions)
}

// Events receives what operations tell the reader while they work.
type Events interface {
	// Notice is what is going on ("fitting the built-in model on 4,831
	// papers..."); a command line may hide notices when asked to be quiet.
	Notice(msg string)
	// Warning is something the reader should know (a record skipped, a
	// paper left without a vector).
	Warning(msg string)
	// Progress starts a progress report of total items (a negative total:
	// steps whose number is not known).
	Progress(total int, desc string) Progress
}

// Progress reports the progress of one long step.
type Progress interface {
	Add(n int)
	Retried()           // a request is retried
	Notice(msg string)  // as Events.Notice, shown with the progress
	Warning(msg string) // as Events.Warning, shown with the progress
	Shown() bool        // whether the progress is visible to the reader
	Done()              // the step ended (finished or not)
}

// silent is the Events of a Config without any.
type silent struct{}

func (silent) Notice(string)                 {}
func (silent) Warning(string)                {}
func (silent) Progress(int, string) Progress { return silentProgress{} }
func (silentProgress) Add(int)               {}
func (silentProgress) Retried()              {}
func (silentProgress) Notice(string)         {}
func (silentProgress) Warning(string)        {}
func (silentProgress) Shown() bool           { return false }
func (silentProgress) Done()                 {}

type silentProgress struct{}

// OptionError is an option of an operation that is wrong in itself (a
// command line reports it as wrong usage).
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

func optionErrorf(format string, a ...any) error {
	return &OptionError{fmt.Sprintf(format, a...)}
}

// Sentinel errors of the operations; test with errors.Is.
var (
	// ErrEmptyProfile: the reader has no like and no interest to rank against.
	ErrEmptyProfile = errors.New(`your profile is empty, so there is nothing to rank against: like a paper (papersift like ID) or add an interest (papersift interest add "TEXT")`)
	// ErrNoVectors: the active model has no vectors yet.
	ErrNoVectors = errors.New("no vectors yet")
	// ErrNoDatabase: an operation that only reads found no database.
	ErrNoDatabase = errors.New("no database")
	// ErrDamaged: the database file is damaged (see Damaged).
	ErrDamaged = store.ErrCorrupt
)

// RedactURL is a URL as papersift shows it: without its user info and
// query values (where a key may be).
func RedactURL(raw string) string { return embed.RedactURL(raw) }

// Damaged reports whether err says that the database file is damaged,
// whichever query met the damage.
func Damaged(err error) bool { return store.Damaged(err) }

// Library is the reader's papers in one database, and the operations on
// them. The database is opened at the first operation that needs it (so
// that, for example, an ingest of a bad file creates nothing). A Library
// is for one goroutine at a time.
type Library struct {
	cfg     Config
	ev      Events
	store   *store.Store
	sources *ingest.Sources // named sources, with arXiv's politeness gate
	mapped  []func() error  // releases what indexMatrix mapped
	// the matrix indexMatrix mapped last, and the vectors it holds
	mappedMat   *store.Matrix
	mappedStamp store.VectorStamp
	// noWord are the papers said to have no known word (said once)
	noWord map[int64]bool
}

// New returns a Library of cfg; it opens nothing yet. A bad embedder is an
// *OptionError.
func New(cfg Config) (*Library, error) {
	switch cfg.Embedder {
	case "":
		cfg.Embedder = EmbedderLocal
	case EmbedderLocal, EmbedderOpenAI:
	default:
		return nil, optionErrorf("--embedder %q: use local or openai", cfg.Embedder)
	}
	if cfg.Endpoint.Dimensions < 0 {
		return nil, optionErrorf("--dimensions must be positive")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BulkBytes == 0 {
		cfg.BulkBytes = DefaultBulkBytes
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	l := &Library{cfg: cfg, ev: cfg.Events, sources: &ingest.Sources{HFBase: cfg.Services.HF, ArxivFeedBase: cfg.Services.ArxivFeed,
		ArxivAPIBase: cfg.Services.ArxivAPI, Client: cfg.HTTPClient, Now: cfg.Now}}
	if l.ev == nil {
		l.ev = silent{}
	}
	return l, nil
}

// DefaultBulkBytes is the size of listing from which an ingest is a bulk
// one: about 50,000 papers.
const DefaultBulkBytes = 64 << 20

// Close closes the database, if it was opened.
func (l *Library) Close() error {
	for _, release := range l.mapped {
		release()
	}
	l.mapped, l.mappedMat = nil, nil
	if l.store == nil {
		return nil
	}
	err := l.store.Close()
	l.store = nil
	return err
}

// Path is the database's path.
func (l *Library) Path() string { return l.cfg.DB }

// db opens the database (once).
func (l *Library) db(ctx context.Context) (*store.Store, error) {
	if l.store != nil {
		return l.store, nil
	}
	if l.cfg.ReadOnly {
		// an operation that only reads creates nothing, nor makes an empty
		// file a database
		if _, err := os.Stat(l.cfg.DB); errors.Is(err, fs.ErrNotExist) || err == nil && !l.hasDatabase() {
			return nil, noDatabase(l.cfg.DB)
		}
	}
	s, err := store.Open(ctx, l.cfg.DB, store.Options{Now: l.cfg.Now, ReadOnly: l.cfg.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	l.store = s
	return s, nil
}

// embedAdvice is what gives papers without a vector one.
func (l *Library) embedAdvice() string {
	if l.cfg.Embedder == openaiKind {
		return "run papersift embed"
	}
	return "run papersift embed (a paper none of whose words the built-in model knows gets none: papersift show PAPER says so)"
}

// hasDatabase reports whether the database file exists and is not empty
// (or is open already).
func (l *Library) hasDatabase() bool {
	if l.store != nil {
		return true
	}
	st, err := os.Stat(l.cfg.DB)
	return err == nil && (!st.Mode().IsRegular() || st.Size() > 0)
}

// noDatabase is ErrNoDatabase, saying what creates the database.
type noDatabase string

func (e noDatabase) Error() string {
	return fmt.Sprintf("no database at %s yet: papersift ingest FILE (or papersift daily) creates it; --db or PAPERSIFT_DB names another", string(e))
}

func (e noDatabase) Is(target error) bool { return target == ErrNoDatabase }

func (l *Library) notef(format string, a ...any) { l.ev.Notice(fmt.Sprintf(format, a...)) }

func (l *Library) warnf(format string, a ...any) { l.ev.Warning(fmt.Sprintf(format, a...)) }
