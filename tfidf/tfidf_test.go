package tfidf

import (
	"context"
	"math"
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The Brain-IT model: 3D fMRI, and GPT-4o!", []string{"brain", "model", "fmri", "gpt"}},
		{"Über große Modelle über alles", []string{"über", "große", "modelle", "über", "alles"}},
		{"a I x 12 2024 e2e", []string{"e2e"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendTermsHashesBigrams(t *testing.T) {
	got := AppendTerms(nil, "Spiking neural networks", true)
	want := []uint64{Hash("spiking"), Hash("neural"), Hash("spiking neural"), Hash("networks"), Hash("neural networks")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AppendTerms = %v, want %v", got, want)
	}
	if uni := AppendTerms(nil, "Spiking neural networks", false); len(uni) != 3 {
		t.Errorf("unigrams only: %d terms", len(uni))
	}
}

func TestFitAndRows(t *testing.T) {
	docs := []string{
		"spiking neural networks on chips",
		"spiking neural networks for vision",
		"graph neural networks for molecules",
		"graph learning for molecules and proteins",
	}
	v, err := Fit(context.Background(), docs, Options{MinDF: 2, MaxDF: 1})
	if err != nil {
		t.Fatal(err)
	}
	has := func(term string) bool { _, ok := v.index[Hash(term)]; return ok }
	for _, term := range []string{"spiking", "neural networks", "graph", "molecules"} {
		if !has(term) {
			t.Errorf("vocabulary lacks %q", term)
		}
	}
	if has("chips") || has("proteins") {
		t.Error("terms below min df kept")
	}
	z := v.Vectorizer()
	a, b, c := z.Row(docs[0]), z.Row(docs[1]), z.Row(docs[3])
	var ss float64
	for _, x := range a.Val {
		ss += float64(x) * float64(x)
	}
	if math.Abs(ss-1) > 1e-5 {
		t.Errorf("row norm^2 = %v, want 1", ss)
	}
	if !(a.Dot(b) > a.Dot(c)) {
		t.Errorf("similar docs %.3f not above dissimilar %.3f", a.Dot(b), a.Dot(c))
	}
	if r := z.Row("nothing known here"); len(r.Idx) != 0 {
		t.Errorf("unknown words gave %v", r)
	}
	// saved and restored, the vocabulary gives the same rows
	v2, err := New(v.Terms, v.IDF, v.Bigrams)
	if err != nil {
		t.Fatal(err)
	}
	if got := v2.Vectorizer().Row(docs[0]); !reflect.DeepEqual(got, a) {
		t.Errorf("restored row %v, want %v", got, a)
	}
	// max df drops terms in more than that share of documents
	v3, _ := Fit(context.Background(), append(append(docs, docs...), docs...), Options{MinDF: 1, MaxDF: 0.5})
	if _, ok := v3.index[Hash("neural")]; ok {
		t.Error("a term in 75% of documents survived max df 0.5")
	}
}

func TestFitIsDeterministic(t *testing.T) {
	var docs []string
	for i := 0; i < 300; i++ {
		docs = append(docs, []string{"alpha beta gamma", "beta gamma delta", "gamma delta epsilon zeta"}[i%3])
	}
	a, _ := Fit(context.Background(), docs, Options{})
	b, _ := Fit(context.Background(), docs, Options{})
	if !reflect.DeepEqual(a.Terms, b.Terms) || !reflect.DeepEqual(a.IDF, b.IDF) {
		t.Error("two fits differ")
	}
}
