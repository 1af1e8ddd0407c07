package embed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrBadResponse is wrapped by errors about an answer that is not a valid
// embeddings response: not JSON, wrong count, wrong dimensions.
var ErrBadResponse = errors.New("embed: invalid answer from the endpoint")

// StatusError is an error status answered by the endpoint.
type StatusError struct {
	Status   int    // HTTP status
	Message  string // the endpoint's message, secrets removed
	Code     string // the endpoint's error code, if any (e.g. insufficient_quota)
	Endpoint string // base URL, without credentials
	Model    string // model name sent
	KeySet   bool   // whether a key was sent
	Tries    int    // tries made
	// Wait is what the endpoint asked to wait before retrying (Retry-After,
	// x-ratelimit-reset-*), 0 if nothing.
	Wait time.Duration
}

func (e *StatusError) Error() string {
	what := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		what += ": " + e.Message
	}
	tries := ""
	if e.Tries > 1 {
		tries = fmt.Sprintf(" (after %d tries)", e.Tries)
	}
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		if !e.KeySet {
			return fmt.Sprintf("%s refused the request (%s): OPENAI_API_KEY is not set; check OPENAI_API_KEY", e.Endpoint, what)
		}
		return fmt.Sprintf("%s refused the key (%s): check OPENAI_API_KEY", e.Endpoint, what)
	case e.Status == http.StatusNotFound:
		return fmt.Sprintf("%s has no embeddings for model %q (%s): check --model (a local server may need the model pulled or loaded first) and --base-url (it usually ends in /v1)", e.Endpoint, e.Model, what)
	case e.Status == http.StatusTooManyRequests && isQuota(e):
		return fmt.Sprintf("%s: no quota left for this key (%s): check the account's billing and limits", e.Endpoint, what)
	case e.Status == http.StatusTooManyRequests:
		return fmt.Sprintf("%s kept rate-limiting the requests%s (%s): try later, or lower --concurrency and --batch", e.Endpoint, tries, what)
	case e.Status >= 500:
		return fmt.Sprintf("%s failed%s (%s): the server has a problem; try later", e.Endpoint, tries, what)
	case e.Status == http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("%s refused the request as too large (%s): lower --batch or --batch-tokens", e.Endpoint, what)
	default:
		return fmt.Sprintf("%s refused the request (%s)", e.Endpoint, what)
	}
}

func isQuota(e *StatusError) bool {
	return e.Code == "insufficient_quota" || strings.Contains(strings.ToLower(e.Message), "quota")
}

// InputError is a text the endpoint would not embed: refused with 400, 413
// or 422 on its own, or given a NaN, infinite or zero vector.
type InputError struct {
	Status  int    // HTTP status, 0 when the answer was a bad vector or nothing was sent
	Message string // why, secrets removed
}

func (e *InputError) Error() string {
	if e.Status == 0 {
		return e.Message
	}
	return fmt.Sprintf("the endpoint refuses its text (%d %s: %s)", e.Status, http.StatusText(e.Status), e.Message)
}

// ConnError is a failure to reach the endpoint or to get a whole answer.
type ConnError struct {
	Endpoint string
	Tries    int
	Timeout  time.Duration // set when the try timed out
	Err      error         // secrets removed from its text
}

func (e *ConnError) Error() string {
	tries := ""
	if e.Tries > 1 {
		tries = fmt.Sprintf(" (after %d tries)", e.Tries)
	}
	if e.Timeout > 0 {
		return fmt.Sprintf("%s did not answer within %v%s: the server may be overloaded or still loading the model; try again or raise --timeout", e.Endpoint, e.Timeout, tries)
	}
	hint := "check --base-url and the network"
	var dns *net.DNSError
	switch {
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		hint = "is the server running, on that port?"
	case errors.As(e.Err, &dns):
		hint = "check the host name in --base-url"
	}
	return fmt.Sprintf("cannot reach %s%s: %v: %s", e.Endpoint, tries, e.Err, hint)
}

func (e *ConnError) Unwrap() error { return e.Err }

// brief describes a failed try in a few words, for logs.
func brief(err error) string {
	var se *StatusError
	var ce *ConnError
	switch {
	case errors.As(err, &se):
		s := fmt.Sprintf("%d %s", se.Status, http.StatusText(se.Status))
		if se.Message != "" {
			s += ": " + se.Message
		}
		return s
	case errors.As(err, &ce) && ce.Timeout > 0:
		return fmt.Sprintf("no answer within %v", ce.Timeout)
	case errors.As(err, &ce):
		return ce.Err.Error()
	}
	return err.Error()
}

// retryable says whether a failed try is worth another.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		switch {
		case se.Status == http.StatusTooManyRequests:
			return !isQuota(se)
		case se.Status == http.StatusRequestTimeout, se.Status == http.StatusConflict:
			return true
		case se.Status >= 500:
			return se.Status != http.StatusNotImplemented
		}
		return false
	}
	var ce *ConnError
	if errors.As(err, &ce) {
		var dns *net.DNSError
		if errors.As(ce.Err, &dns) && !dns.IsTemporary && !dns.IsTimeout {
			return false
		}
		return true
	}
	return false
}

// connError classifies a transport failure.
func connError(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded)
}

// badRequest says whether a 4xx status concerns the inputs (so bisecting
// the batch finds the culprit).
func badRequest(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge || status == http.StatusUnprocessableEntity
}

// aboutEncoding says whether a refusal is about encoding_format.
func aboutEncoding(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "base64") || strings.Contains(m, "encoding_format") || strings.Contains(m, "encoding format")
}

// aboutDimensions says whether a refusal is about the dimensions parameter.
func aboutDimensions(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "dimensions") || strings.Contains(m, "matryoshka")
}

// aboutBatchSize says whether a refusal is about the number of inputs.
func aboutBatchSize(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "batch size") || strings.Contains(m, "batch_size") || strings.Contains(m, "too many inputs")
}

// aboutLength says whether a refusal says the input is too long.
func aboutLength(status int, msg string) bool {
	if status == http.StatusRequestEntityTooLarge {
		return true
	}
	m := strings.ToLower(msg)
	for _, w := range []string{"too long", "too large", "maximum context", "context length", "maximum input", "max_tokens", "token limit", "tokens", "exceeds"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// waitHint is the wait the endpoint asks for, from Retry-After (seconds
// or an HTTP date), retry-after-ms, or the x-ratelimit-reset-* headers;
// 0 when none.
func waitHint(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			if s < 0 {
				return 0
			}
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	// x-ratelimit-reset-requests / -tokens: the limit that is exhausted
	// wins; if neither says so, the longer reset.
	var longest, exhausted time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		d, ok := parseReset(h.Get("X-Ratelimit-Reset-"+kind), now)
		if !ok {
			continue
		}
		longest = max(longest, d)
		if rem := strings.TrimSpace(h.Get("X-Ratelimit-Remaining-" + kind)); rem == "0" {
			exhausted = max(exhausted, d)
		}
	}
	if exhausted > 0 {
		return exhausted
	}
	return longest
}

// parseReset reads an x-ratelimit-reset-* value: a Go-style duration
// ("1s", "6m0s", "20ms"), a number of seconds, or a Unix time.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, err := time.ParseDuration(v); err == nil {
		return max(d, 0), true
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s > 1e9 { // a Unix time
			return max(time.Unix(int64(s), 0).Sub(now), 0), true
		}
		return max(time.Duration(s*float64(time.Second)), 0), true
	}
	return 0, false
}

// tidy shortens a server message to one line of at most n runes.
func tidy(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "..."
	}
	return s
}
