// Package embed turns paper texts into vectors.
//
// An Embedder takes a batch of texts and returns one L2-normalised float32
// vector per text, all of the embedder's fixed dimension, and names the model
// that made them. Vectors of two models (or of two fits of the built-in
// model) are never compared: callers keep them apart by Model().
//
// The built-in embedder (Local) works offline with no downloaded weights: a
// TF-IDF model reduced by a truncated SVD (latent semantic analysis), fitted
// on the reader's own corpus.
package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
)

// Embedder embeds texts. Embed returns len(texts) vectors of Dim() float32s,
// each L2-normalised, in the order of texts, or an error.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Dim is the dimension of every vector (0 when not known before the first call).
	Dim() int
	// Model identifies the model, and for the built-in model the fit:
	// vectors with different identities are never compared.
	Model() string
}

// ErrDimensionMismatch is returned when vectors of different dimensions meet.
var ErrDimensionMismatch = errors.New("embed: dimension mismatch")

// ErrZeroVector is returned for a vector that cannot be normalised.
var ErrZeroVector = errors.New("embed: zero, NaN or infinite vector")

// Normalize scales v to unit length in place. It fails on a zero vector or
// one holding NaN or Inf.
func Normalize(v []float32) error {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 || math.IsNaN(ss) || math.IsInf(ss, 0) {
		return ErrZeroVector
	}
	inv := 1 / math.Sqrt(ss)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
	return nil
}

// Text is the text of a paper that gets embedded: its title and abstract.
func Text(title, abstract string) string {
	return fmt.Sprintf("%s. %s", title, abstract)
}

// TextHash identifies the text a vector was computed from: 16 hex digits of
// its SHA-256.
func TextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:8])
}
