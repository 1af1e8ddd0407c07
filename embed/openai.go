package embed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// DefaultBaseURL is OpenAI's endpoint.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults of OpenAIConfig's optional fields.
const (
	DefaultBatchSize      = 64
	DefaultBatchTokens    = 120_000
	DefaultMaxInputTokens = 8191
	DefaultConcurrency    = 4
	DefaultMaxTries       = 6
	DefaultTimeout        = 60 * time.Second
	DefaultGrace          = 10 * time.Second
	DefaultMinBackoff     = 500 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultMaxWait        = 5 * time.Minute
)

// Encodings of the vectors in the endpoint's answer.
const (
	EncodingAuto   = "auto"   // ask for base64; fall back to float if the endpoint refuses it
	EncodingBase64 = "base64" // always ask for base64
	EncodingFloat  = "float"  // always ask for JSON numbers
)

// OpenAIConfig configures an OpenAI-compatible /v1/embeddings client. The
// zero value of each optional field means its default.
type OpenAIConfig struct {
	// BaseURL is the endpoint base, up to and including /v1 (default
	// DefaultBaseURL). Its query, if any, is sent with every request
	// (Azure's api-version); its credentials and query values are never
	// logged nor part of the model identity.
	BaseURL string
	// APIKey is sent as a bearer token when set (local servers need none).
	// It is never logged, and is removed from every error message, as is
	// any part of it of 8 bytes or more that the endpoint quotes.
	APIKey string
	// Model is the model name sent to the endpoint (required).
	Model string
	// Dimensions is asked of models that can shorten their vectors; 0
	// leaves the model's own.
	Dimensions int
	// Dim is the dimension every vector must have, e.g. that of the
	// model's earlier vectors; 0: the first answer sets it.
	Dim int

	// BatchSize is the most texts in one request (default DefaultBatchSize).
	BatchSize int
	// BatchTokens is the most estimated tokens in one request (default DefaultBatchTokens).
	BatchTokens int
	// MaxInputTokens is the model's input limit; a text estimated to be
	// longer is cut to it before sending (default DefaultMaxInputTokens).
	MaxInputTokens int
	// Concurrency is the number of requests in flight (default DefaultConcurrency).
	Concurrency int
	// MaxTries bounds the tries of one request (default DefaultMaxTries).
	MaxTries int
	// Timeout bounds one try (default DefaultTimeout).
	Timeout time.Duration
	// Grace is how long requests already in flight may still finish once
	// the context of Run is cancelled (default DefaultGrace).
	Grace time.Duration
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// tries (defaults DefaultMinBackoff, DefaultMaxBackoff).
	MinBackoff, MaxBackoff time.Duration
	// MaxWait is the longest wait asked by the endpoint (Retry-After,
	// x-ratelimit-reset-*) that is honoured; a longer one fails the
	// request (default DefaultMaxWait).
	MaxWait time.Duration
	// Encoding is EncodingAuto (default), EncodingBase64 or EncodingFloat.
	Encoding string
	// HTTPClient sends the requests (default: one that keeps a connection
	// per request in flight, with no overall timeout; Timeout bounds each
	// try). A copy of it is used, which follows no redirect: a redirect is
	// a *RedirectError.
	HTTPClient *http.Client
	// Logf, when set, receives one line per request and retry, one call at
	// a time; the Authorization header and the secrets are redacted.
	Logf func(format string, args ...any)
	// OnRetry, when set, is called before each wait for a retry. It may be
	// called from several goroutines at once.
	OnRetry func(RetryEvent)
	// Seed seeds the jitter of the backoff.
	Seed uint64
}

// RetryEvent describes a retry about to happen.
type RetryEvent struct {
	Try   int           // the try that failed, from 1
	Wait  time.Duration // the wait before the next
	Texts int           // texts in the request
	Err   error         // why
}

// OpenAI embeds through an OpenAI-compatible /v1/embeddings endpoint:
// batched, concurrent, retried with backoff, validated. It is safe for
// concurrent use.
type OpenAI struct {
	cfg      OpenAIConfig
	client   *openai.Client
	identity string
	endpoint string // BaseURL without credentials, for messages

	dim    atomic.Int64 // vector dimension, once known
	float  atomic.Bool  // the endpoint refused base64: ask for floats
	cap    atomic.Int64 // current batch size cap (lowered by 413s)
	gate   gate         // shared pause after a 429
	slots  slots        // requests in flight
	jmu    sync.Mutex
	jitter *rand.Rand
	stats  counters
	red    *redactor // removes secrets from messages
}

type counters struct {
	requests, retries, texts atomic.Int64
}

// Stats counts what a client did.
type Stats struct {
	Requests int // HTTP requests sent
	Retries  int // of which retries
	Texts    int // texts sent, counting resends
}

// NewOpenAI checks cfg and returns a client.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("embed: no model name given (set --model)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	endpoint, err := cleanURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Dimensions < 0 || cfg.Dim < 0 {
		return nil, errors.New("embed: dimensions must be positive")
	}
	if cfg.Dimensions > 0 && cfg.Dim > 0 && cfg.Dimensions != cfg.Dim {
		return nil, fmt.Errorf("embed: %d dimensions asked, but the model's vectors have %d: %w", cfg.Dimensions, cfg.Dim, ErrDimensionMismatch)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.BatchSize, DefaultBatchSize)
	def(&cfg.BatchTokens, DefaultBatchTokens)
	def(&cfg.MaxInputTokens, DefaultMaxInputTokens)
	def(&cfg.Concurrency, DefaultConcurrency)
	def(&cfg.MaxTries, DefaultMaxTries)
	defDur(&cfg.Timeout, DefaultTimeout)
	defDur(&cfg.Grace, DefaultGrace)
	defDur(&cfg.MinBackoff, DefaultMinBackoff)
	defDur(&cfg.MaxBackoff, DefaultMaxBackoff)
	defDur(&cfg.MaxWait, DefaultMaxWait)
	switch cfg.Encoding {
	case "":
		cfg.Encoding = EncodingAuto
	case EncodingAuto, EncodingBase64, EncodingFloat:
	default:
		return nil, fmt.Errorf("embed: encoding %q: use auto, base64 or float", cfg.Encoding)
	}
	// A copy of the caller's client, or one that keeps a connection per
	// worker alive (the default keeps 2 per host, and a new TLS
	// connection costs more than a request). Redirects are never followed:
	// the request carries the key, and Go's client keeps the Authorization
	// header on a redirect to another port or scheme of the same host.
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 2 * cfg.Concurrency
		hc.Transport = tr
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &OpenAI{
		cfg:      cfg,
		identity: OpenAIIdentity(cfg.BaseURL, cfg.Model, cfg.Dimensions),
		endpoint: endpoint,
		jitter:   rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
	}
	c.red = newRedactor(cfg.APIKey, cfg.BaseURL)
	if logf := cfg.Logf; logf != nil {
		var mu sync.Mutex
		cfg.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			logf(format, args...)
		}
		c.cfg.Logf = cfg.Logf
	}
	// go-openai appends "/embeddings" to the base URL as a string: it gets
	// the base without its query, which the doer adds to each request
	// (Azure's api-version and api-key are query parameters)
	u, _ := url.Parse(strings.TrimSpace(cfg.BaseURL)) // parsed by cleanURL
	query := u.RawQuery
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(u.String(), "/")
	oc.HTTPClient = &doer{hc: &hc, query: query, logf: cfg.Logf, red: c.red}
	c.client = openai.NewClientWithConfig(oc)
	c.dim.Store(int64(cfg.Dim))
	if cfg.Dimensions > 0 {
		c.dim.Store(int64(cfg.Dimensions))
	}
	c.float.Store(cfg.Encoding == EncodingFloat)
	c.cap.Store(int64(cfg.BatchSize))
	c.slots = make(slots, cfg.Concurrency)
	return c, nil
}

// OpenAIIdentity is the model identity of vectors made by model at baseURL
// with dimensions (0: the model's own): vectors of two identities are never
// compared. It holds no credentials.
func OpenAIIdentity(baseURL, model string, dimensions int) string {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := cleanURL(baseURL)
	if err != nil {
		u = "invalid-url"
	}
	id := strings.TrimSpace(model) + "@" + u
	if dimensions > 0 {
		id += fmt.Sprintf("?dimensions=%d", dimensions)
	}
	return id
}

// cleanURL is a base URL without credentials, query or trailing slash.
func cleanURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("embed: base URL %q: give an http(s) URL such as %s or http://localhost:11434/v1", redactURL(raw), DefaultBaseURL)
	}
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// Model is the model identity: base URL, model name and dimensions.
func (c *OpenAI) Model() string { return c.identity }

// Endpoint is the base URL without credentials.
func (c *OpenAI) Endpoint() string { return c.endpoint }

// Dim is the dimension of the vectors, 0 before the first answer when not configured.
func (c *OpenAI) Dim() int { return int(c.dim.Load()) }

// Encoding is the encoding the client asks for now.
func (c *OpenAI) Encoding() string {
	if c.float.Load() {
		return EncodingFloat
	}
	return EncodingBase64
}

// Stats returns what the client did so far.
func (c *OpenAI) Stats() Stats {
	return Stats{Requests: int(c.stats.requests.Load()), Retries: int(c.stats.retries.Load()), Texts: int(c.stats.texts.Load())}
}

// Embed embeds texts, one L2-normalised vector per text in order. A text
// the endpoint refuses fails the call with an *InputError.
func (c *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var rejected error
	err := c.Run(ctx, texts, func(b Batch) error {
		for i, at := range b.Index {
			out[at] = b.Vecs[i]
		}
		if len(b.Rejected) > 0 && rejected == nil {
			rejected = b.Rejected[0].Err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rejected != nil {
		return nil, rejected
	}
	return out, nil
}

// redact removes secrets (the key, the base URL's credentials and query
// values, anything shaped like an API key or bearer token) from a message.
func (c *OpenAI) redact(s string) string {
	return c.red.redact(s)
}

// redactN is redact of the first n bytes of s, for text from the
// endpoint, which may be long.
func (c *OpenAI) redactN(s string, n int) string {
	return c.red.redactN(s, n)
}
