package embed

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// badVectors is an answer holding zero, NaN or infinite vectors, at pos
// (positions in the request).
type badVectors struct{ pos []int }

func (e *badVectors) Error() string {
	return fmt.Sprintf("the endpoint returned %d zero, NaN or infinite vector(s)", len(e.pos))
}

// call sends one request and returns its validated, normalised vectors in
// the order of texts. x says how to send it and gets what came back.
func (c *OpenAI) call(ctx context.Context, x *exchange, texts []string, float bool) ([][]float32, error) {
	req := openai.EmbeddingRequest{
		Input:          texts,
		Model:          openai.EmbeddingModel(c.cfg.Model),
		Dimensions:     c.cfg.Dimensions,
		EncodingFormat: openai.EmbeddingEncodingFormatBase64,
	}
	if float {
		req.EncodingFormat = openai.EmbeddingEncodingFormatFloat
	}
	x.texts, x.dim = len(texts), c.Dim
	_, err := c.client.CreateEmbeddings(withExchange(ctx, x), req)
	if x.sent {
		c.stats.requests.Add(1)
		c.stats.texts.Add(int64(len(texts)))
	}
	var tl *errTooLarge
	switch {
	case errors.Is(err, errStopped), errors.Is(err, errSplit):
		return nil, err
	case errors.As(err, &tl):
		// not a network failure: the answer is wrong, and would be again
		return nil, fmt.Errorf("%w: %s: %v: it does not answer as an embeddings endpoint does; check --base-url", ErrBadResponse, c.endpoint, tl)
	case x.status >= 200 && x.status < 300:
		// the body is decoded here, whatever go-openai made of the stub
	case x.status >= 300 && x.status < 400:
		return nil, c.redirectError(x)
	case x.status != 0:
		return nil, c.statusError(err, x)
	case err == nil:
		return nil, fmt.Errorf("%w: %s gave no answer", ErrBadResponse, c.endpoint)
	case errors.Is(err, context.Canceled):
		return nil, err
	default:
		return nil, &ConnError{Endpoint: c.endpoint, Err: &redacted{msg: c.redact(err.Error()), err: err}}
	}
	if rem := x.header.Get("X-Ratelimit-Remaining-Requests"); rem == "0" {
		if d := waitHint(x.header, time.Now()); d > 0 && d <= c.cfg.MaxWait {
			c.gate.pause(d)
		}
	}
	data, err := c.decode(x)
	if err != nil {
		return nil, err
	}
	return c.vectors(data, len(texts))
}

// redacted is an error whose text has its secrets removed; errors.Is and
// errors.As still see the original.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// RedirectError is a redirect answered to an embeddings request. It is
// not followed: the request carries the key, which goes only to the
// configured endpoint.
type RedirectError struct {
	Status   int    // HTTP status
	Endpoint string // base URL, without credentials
	Location string // where to, credentials and query values hidden; "" if not said
}

func (e *RedirectError) Error() string {
	if e.Location == "" {
		return fmt.Sprintf("%s answered %d %s to an embeddings request, with no Location: check --base-url", e.Endpoint, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%s answered %d %s, a redirect to %s: papersift does not follow redirects (the request carries the key); if the endpoint has moved, point --base-url at the new address",
		e.Endpoint, e.Status, http.StatusText(e.Status), e.Location)
}

func (c *OpenAI) redirectError(x *exchange) error {
	e := &RedirectError{Status: x.status, Endpoint: c.endpoint}
	if loc := x.header.Get("Location"); loc != "" {
		from := x.url
		if from == nil {
			from = &url.URL{}
		}
		e.Location = c.redactN(locationText(from, loc), messageBytes)
	}
	return e
}

// statusError turns an error answer into a *StatusError.
func (c *OpenAI) statusError(err error, a *exchange) error {
	se := &StatusError{
		Status:   a.status,
		Endpoint: c.endpoint,
		Model:    c.cfg.Model,
		KeySet:   c.cfg.APIKey != "",
		Tries:    1,
		Wait:     waitHint(a.header, time.Now()),
	}
	var ae *openai.APIError
	if errors.As(err, &ae) {
		se.Message = ae.Message
		switch code := ae.Code.(type) {
		case string:
			se.Code = code
		case nil:
		default:
			se.Code = fmt.Sprint(code)
		}
		if se.Code == "" {
			se.Code = ae.Type
		}
	} else {
		se.Message = bodyText(a, messageBytes+c.red.look)
	}
	se.Message = tidy(c.redactN(se.Message, messageBytes), 300)
	return se
}

// bodyText is a short description of an error answer's body: its
// message, or at most n bytes of it.
func bodyText(a *exchange, n int) string {
	b := bytes.TrimSpace(a.body)
	if isHTML(a) {
		return "an HTML page, not JSON"
	}
	var m struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
		Detail  any    `json:"detail"`
	}
	if json.Unmarshal(b, &m) == nil {
		switch {
		case m.Message != "":
			return m.Message
		case m.Error != nil:
			if s, ok := m.Error.(string); ok {
				return s
			}
			j, _ := json.Marshal(m.Error)
			return string(j)
		case m.Detail != nil:
			j, _ := json.Marshal(m.Detail)
			return string(j)
		}
	}
	return string(b[:min(len(b), n)])
}

func isHTML(a *exchange) bool {
	ct := strings.ToLower(a.header.Get("Content-Type"))
	b := bytes.ToLower(bytes.TrimSpace(a.body[:min(len(a.body), 64)]))
	return strings.Contains(ct, "text/html") || bytes.HasPrefix(b, []byte("<!doctype")) || bytes.HasPrefix(b, []byte("<html"))
}

// decode reads a 2xx answer whose embeddings may be base64 strings
// (whatever was asked) or arrays of numbers (servers that ignore
// encoding_format answer those).
func (c *OpenAI) decode(a *exchange) ([]openai.Embedding, error) {
	if out, ok := fastDecode(a.body); ok {
		return out, nil
	}
	var raw struct {
		Data []struct {
			Index     json.RawMessage `json:"index"`
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(a.body, &raw); err != nil {
		what := "an answer that is not JSON"
		if isHTML(a) {
			what = "an HTML page instead of JSON"
		}
		return nil, fmt.Errorf("%w: %s answered %s (Content-Type %q, starting %q): check --base-url (it usually ends in /v1)",
			ErrBadResponse, c.endpoint, what, a.header.Get("Content-Type"), tidy(c.red.redactBytes(a.body, 60), 60))
	}
	out := make([]openai.Embedding, len(raw.Data))
	for i, d := range raw.Data {
		var err error
		if out[i].Index, err = index(d.Index); err != nil {
			return nil, fmt.Errorf("%w: %s: %s (item %d of %d in the answer): cannot tell which text its vector is for", ErrBadResponse, c.endpoint, c.redact(err.Error()), i, len(raw.Data))
		}
		e := bytes.TrimSpace(d.Embedding)
		switch {
		case len(e) == 0:
			return nil, fmt.Errorf("%w: %s: item %d of the answer has no embedding", ErrBadResponse, c.endpoint, i)
		case len(e) >= 2 && e[0] == '"' && bytes.IndexByte(e, '\\') < 0:
			out[i].Embedding, err = decodeBase64(e[1 : len(e)-1])
		case e[0] == '"':
			var s string
			if err = json.Unmarshal(e, &s); err == nil {
				out[i].Embedding, err = decodeBase64([]byte(s))
			}
		default:
			err = json.Unmarshal(e, &out[i].Embedding)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: vector %d of the answer is neither numbers nor base64: %v", ErrBadResponse, c.endpoint, i, err)
		}
	}
	return out, nil
}

// index reads an item's index: a whole number (1.0 is one).
func index(raw json.RawMessage) (int, error) {
	t := string(bytes.TrimSpace(raw))
	if t == "" {
		return 0, errors.New("an item has no index")
	}
	if n, err := strconv.Atoi(t); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	switch {
	case err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53:
		return int(f), nil
	case err == nil && f == math.Trunc(f):
		return 0, fmt.Errorf("index %s is out of range", tidy(t, 40))
	}
	return 0, fmt.Errorf("index %s is not a whole number", tidy(t, 40))
}

// decodeBase64 decodes little-endian float32s.
func decodeBase64(s []byte) ([]float32, error) {
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		return nil, err
	}
	b = b[:n]
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// vectors checks an answer against a request of n texts and returns its
// vectors, normalised, in request order.
func (c *OpenAI) vectors(data []openai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, fmt.Errorf("%w: %s was sent %d text(s) and answered %d vector(s)", ErrBadResponse, c.endpoint, n, len(data))
	}
	out := make([][]float32, n)
	for _, d := range data {
		if d.Index < 0 || d.Index >= n {
			return nil, fmt.Errorf("%w: %s answered a vector for input %d of %d", ErrBadResponse, c.endpoint, d.Index, n)
		}
		if out[d.Index] != nil {
			return nil, fmt.Errorf("%w: %s answered two vectors for input %d: cannot tell which vector is whose", ErrBadResponse, c.endpoint, d.Index)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("%w: %s answered an empty vector for input %d", ErrBadResponse, c.endpoint, d.Index)
		}
		out[d.Index] = d.Embedding
	}
	for _, v := range out {
		if err := c.checkDim(len(v)); err != nil {
			return nil, err
		}
	}
	var bad []int
	for i, v := range out {
		if Normalize(v) != nil {
			bad = append(bad, i)
		}
	}
	if bad != nil {
		return nil, &badVectors{pos: bad}
	}
	return out, nil
}

// checkDim checks a vector's dimension against the model's; the first
// answer sets it when it was not known.
func (c *OpenAI) checkDim(d int) error {
	if c.dim.CompareAndSwap(0, int64(d)) {
		return nil
	}
	want := int(c.dim.Load())
	if d == want {
		return nil
	}
	switch {
	case c.cfg.Dimensions > 0:
		return fmt.Errorf("%w: asked %s for %d dimensions and got %d: the model or server ignores dimensions; drop --dimensions: %w",
			ErrBadResponse, c.endpoint, c.cfg.Dimensions, d, ErrDimensionMismatch)
	case c.cfg.Dim > 0:
		return fmt.Errorf("%w: %s returns %d-dimensional vectors, but the vectors stored for %s have %d: has the model behind that name changed? use another --model name, or --dimensions: %w",
			ErrBadResponse, c.endpoint, d, c.identity, want, ErrDimensionMismatch)
	default:
		return fmt.Errorf("%w: %s returns vectors of %d and of %d dimensions: %w", ErrBadResponse, c.endpoint, want, d, ErrDimensionMismatch)
	}
}

// requestLevel says whether a refusal concerns the request itself (a
// parameter, the model) rather than one of its texts.
func (c *OpenAI) requestLevel(se *StatusError) bool {
	if c.cfg.Dimensions > 0 && aboutDimensions(se.Message) {
		return true
	}
	m := strings.ToLower(se.Message)
	return strings.Contains(m, "model") && (strings.Contains(m, "not found") || strings.Contains(m, "does not exist") || strings.Contains(m, "not support"))
}

// inputLevel says whether a refusal may be caused by one of the texts, so
// that bisecting the batch isolates it. llama.cpp's server answers 500 for
// an input longer than its batch.
func inputLevel(se *StatusError) bool {
	if badRequest(se.Status) {
		return true
	}
	m := strings.ToLower(se.Message)
	return se.Status == http.StatusInternalServerError && (strings.Contains(m, "too large to process") || strings.Contains(m, "physical batch size"))
}
