package cluster

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

var labelDocs = []Doc{
	{"Graph neural networks for molecules", "We propose a graph neural network that predicts molecular properties and node classification. Results show graph neural networks outperform baselines."},
	{"Scaling graph neural networks", "Graph neural networks struggle on large graphs; we present a sampling method for message passing and node classification."},
	{"Message passing on heterophilous graphs", "A new graph neural network for heterophilous graphs with adaptive message passing."},
	{"Speech recognition for low-resource languages", "We study speech recognition in low-resource languages with self-supervised acoustic models. See https://github.com/x/asr-code."},
	{"Robust speech recognition in noise", "Speech recognition degrades in noise; our acoustic model improves speech recognition and transcription with data augmentation."},
	{"Streaming speech recognition", "A streaming acoustic model for speech recognition and transcription with low latency \\cite{x} and <a href=\"https://x.org\">code</a>."},
}

func TestLabelsSyntheticClusters(t *testing.T) {
	got := Labels(labelDocs, []int{0, 0, 0, 1, 1, 1}, 2)
	if len(got) != 2 {
		t.Fatalf("%d labels, want 2", len(got))
	}
	for c, want := range []string{"graph neural networks", "speech recognition"} {
		if len(got[c]) == 0 || got[c][0] != want {
			t.Errorf("cluster %d: %q, want %q first", c, got[c], want)
		}
		if len(got[c]) < 3 || len(got[c]) > 5 {
			t.Errorf("cluster %d: %d terms, want 3 to 5: %q", c, len(got[c]), got[c])
		}
		for _, term := range got[c] {
			for _, w := range strings.Fields(term) {
				if genericWords()[w] && w == strings.Fields(term)[0] {
					t.Errorf("cluster %d: term %q opens with a generic word", c, term)
				}
				for _, junk := range []string{"https", "github", "com", "href", "cite", "org"} {
					if w == junk {
						t.Errorf("cluster %d: term %q comes from a web address, a tag or LaTeX", c, term)
					}
				}
			}
		}
	}
	// the phrase stands for its words: "graph" and "neural" do not follow it
	for _, term := range got[0][1:] {
		if term == "graph" || term == "neural" || term == "graph neural" {
			t.Errorf("cluster 0 repeats the words of its phrase: %q", got[0])
		}
	}
}

func TestLabelsDeterministic(t *testing.T) {
	assign := []int{0, 0, 0, 1, 1, 1}
	a := Labels(labelDocs, assign, 2)
	for i := 0; i < 5; i++ {
		if b := Labels(labelDocs, assign, 2); !reflect.DeepEqual(a, b) {
			t.Fatalf("run %d: %q, first run %q", i, b, a)
		}
	}
	// the order of the papers does not matter
	rev := slices.Clone(labelDocs)
	slices.Reverse(rev)
	if b := Labels(rev, []int{1, 1, 1, 0, 0, 0}, 2); !reflect.DeepEqual(a, b) {
		t.Errorf("papers reversed: %q, want %q", b, a)
	}
}

func TestLabelsEdgeCases(t *testing.T) {
	one := []Doc{{"Speech recognition", "Speech recognition of speech recognition systems."}}
	got := Labels(one, []int{0}, 3)
	if len(got) != 3 || len(got[0]) == 0 || got[0][0] != "speech recognition" || got[1] != nil || got[2] != nil {
		t.Errorf("one paper in three clusters: %q", got)
	}
	if got := Labels(nil, nil, 2); len(got) != 2 || got[0] != nil {
		t.Errorf("no papers: %q", got)
	}
	// a term used by one paper of a cluster of several names nothing
	docs := []Doc{{"Alpha beta", "gamma"}, {"Delta epsilon", "zeta"}}
	if got := Labels(docs, []int{0, 0}, 1); len(got[0]) != 0 {
		t.Errorf("no term shared by two papers: %q", got[0])
	}
}

func TestStem(t *testing.T) {
	for w, want := range map[string]string{
		"models": "model", "policies": "policy", "meshes": "mesh", "approaches": "approach",
		"analysis": "analysis", "bias": "bias", "class": "class", "classes": "class", "gas": "gas", "focus": "focus",
	} {
		if got := stem(w); got != want {
			t.Errorf("stem(%q) = %q, want %q", w, got, want)
		}
	}
}

// TestLabelsArxivCategories labels the papers of ../shared/data by their
// arXiv category and checks that unambiguous fields get their own words.
func TestLabelsArxivCategories(t *testing.T) {
	f, err := os.Open("../../shared/data/arxiv-cs/dev.jsonl")
	if err != nil {
		t.Skipf("no shared data (%v): skipping", err)
	}
	defer f.Close()
	var docs []Doc
	var cats []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ Title, Abstract, Label string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Doc{r.Title, r.Abstract})
		cats = append(cats, r.Label)
	}
	names := slices.Clone(cats)
	sort.Strings(names)
	names = slices.Compact(names)
	assign := make([]int, len(cats))
	for i, c := range cats {
		assign[i], _ = slices.BinarySearch(names, c)
	}
	labels := Labels(docs, assign, len(names))
	expect := map[string][]string{
		"cs.GT": {"game", "games", "equilibrium", "equilibria", "auctions", "mechanism"},
		"cs.IT": {"channel", "codes", "code", "mimo", "antenna", "communication"},
		"cs.RO": {"robot", "robots", "robotic", "manipulation"},
		"cs.SD": {"audio", "speech", "music", "sound"},
		"cs.GR": {"rendering", "mesh", "gaussian splatting", "3d"},
	}
	for c, name := range names {
		t.Logf("%-8s %s", name, strings.Join(labels[c], ", "))
		if n := len(labels[c]); n < 3 || n > 5 {
			t.Errorf("%s: %d terms, want 3 to 5", name, n)
		}
		if want, ok := expect[name]; ok && !slices.ContainsFunc(labels[c], func(s string) bool { return slices.Contains(want, s) }) {
			t.Errorf("%s: %q has none of %q", name, labels[c], want)
		}
	}
}
