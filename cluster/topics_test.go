package cluster

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/papersift/papersift/tfidf"
)

// testBackground is what a body of abstracts says of the terms of
// topicDocs: figures measured on ../shared's 64,930 arXiv abstracts.
var testBackground = map[string]TermStats{
	"requiring": {0.056, 1.03}, "achieved": {0.059, 1.06}, "help": {0.018, 1.11}, "available": {0.177, 1.06},
	"attempts": {0.006, 1.06}, "results": {0.324, 1.13}, "method": {0.243, 1.37},
	"video": {0.102, 3.46}, "videos": {0.102, 3.46}, "diffusion": {0.092, 2.48}, "video diffusion": {0.0099, 1.61},
	"speech": {0.027, 3.10}, "recognition": {0.062, 1.90}, "speech recognition": {0.010, 1.80},
	"camera": {0.02, 2.5}, "acoustic": {0.004, 2.0}, "noise": {0.05, 2.2},
}

func testStats(term string) (TermStats, bool) {
	s, ok := testBackground[term]
	return s, ok
}

// topicDocs are two topics whose papers share words of research prose too.
var topicDocs = []Doc{
	{"Video diffusion for camera control", "Video diffusion models help camera control, requiring no labels; we achieved sharp videos. Code is available."},
	{"Long video diffusion", "Generating long videos with video diffusion is hard, requiring memory; results achieved show video diffusion scales."},
	{"Camera-aware video diffusion", "We help video diffusion follow the camera; requiring few steps, it achieved the best videos."},
	{"Robust speech recognition", "Speech recognition in noise: acoustic models help, and attempts at denoising achieved little. Data available."},
	{"Speech recognition for low-resource languages", "Acoustic speech recognition, requiring little data; attempts help. Models are available."},
	{"Streaming speech recognition", "Streaming speech recognition with acoustic models; attempts and results available."},
}

func TestTopicsBackground(t *testing.T) {
	assign := []int{0, 0, 0, 1, 1, 1}
	filler := []string{"requiring", "achieved", "help", "available", "attempts"}
	for _, tc := range []struct {
		name       string
		background func(string) (TermStats, bool)
		first      []string // the first term of each cluster
		noFiller   bool     // no word of research prose among the terms
	}{
		{"background", testStats, []string{"video diffusion", "speech recognition"}, true},
		{"no background", nil, []string{"video diffusion", "speech recognition"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topics := LabelOptions{Background: tc.background}.Topics(topicDocs, assign, 2)
			hasFiller := false
			for c, tp := range topics {
				if len(tp.Terms) == 0 || tp.Terms[0] != tc.first[c] {
					t.Errorf("cluster %d: %q, want %q first", c, tp.Terms, tc.first[c])
				}
				if tp.Weak || !strings.HasPrefix(tp.Label, tc.first[c]) {
					t.Errorf("cluster %d: label %q (weak %v), want its terms", c, tp.Label, tp.Weak)
				}
				for _, term := range tp.Terms {
					for _, w := range strings.Fields(term) {
						hasFiller = hasFiller || slices.Contains(filler, w)
					}
				}
			}
			if tc.noFiller && hasFiller {
				t.Errorf("words of research prose label a topic: %q %q", topics[0].Terms, topics[1].Terms)
			}
			if !tc.noFiller && !hasFiller {
				t.Logf("no filler even without a background (the fixed list has them): %q %q", topics[0].Terms, topics[1].Terms)
			}
		})
	}
}

func TestTopicsCompounds(t *testing.T) {
	docs := []Doc{
		{"Training-free long-term memory", "A training-free long-term memory for agents."},
		{"Long-term memory in a training-free agent", "Training-free agents keep long-term memory."},
		{"Tuning-free retrieval", "A tuning-free long-term memory store."},
		{"Graph neural networks", "Graph neural networks on molecules."},
		{"Scaling graph neural networks", "Graph neural networks at scale."},
	}
	topics := LabelOptions{}.Topics(docs, []int{0, 0, 0, 1, 1}, 2)
	terms := topics[0].Terms
	for _, tc := range []struct {
		term string
		want bool
	}{
		{"long term memory", true}, // the phrase of three words its papers use
		{"free", false},            // a part of "training-free", "tuning-free"
		{"term memory", false},     // cuts "long-term"
		{"long", false},            // held by the phrase
	} {
		if got := slices.Contains(terms, tc.term); got != tc.want {
			t.Errorf("%q in %q: %v, want %v", tc.term, terms, got, tc.want)
		}
	}
}

func TestTopicsWeak(t *testing.T) {
	docs := []Doc{
		{"Video diffusion for camera control", "Video diffusion with camera control."},
		{"Long video diffusion", "Video diffusion of long videos."},
		{"Speech recognition in noise", "Speech recognition with acoustic models."},
		{"Streaming speech recognition", "Streaming speech recognition with acoustic models."},
		// three papers of nothing in common but a few words of their abstracts
		{"SpurMask: Discovering spurious shortcuts in text classifiers", "A deep look at the target of shortcuts, a correlation."},
		{"Orbit determination of small satellites", "We target deep orbits and their correlation."},
		{"Protein folding kinetics", "A deep correlation with the folding target."},
	}
	topics := LabelOptions{Background: testStats}.Topics(docs, []int{0, 0, 1, 1, 2, 2, 2}, 3)
	for c, tc := range []struct {
		weak  bool
		label string
	}{
		{false, "video diffusion"},
		{false, "speech recognition"},
		{true, "Discovering spurious shortcuts in text classifiers"},
	} {
		if topics[c].Weak != tc.weak || !strings.HasPrefix(topics[c].Label, tc.label) {
			t.Errorf("cluster %d: %q weak %v (strength %.2f), want %q weak %v", c, topics[c].Label, topics[c].Weak, topics[c].Strength, tc.label, tc.weak)
		}
	}
	if !math.IsInf(LabelOptions{}.Topics(docs[:1], []int{0}, 1)[0].Strength, 1) {
		t.Errorf("a cluster of one paper is not weak")
	}
}

func TestShortTitle(t *testing.T) {
	none := func(string) float64 { return 0 }
	for _, tc := range []struct{ title, want string }{
		{"MemoryVLA: Perceptual-Cognitive Memory in Vision-Language-Action Models for Robotic Manipulation", "Perceptual-Cognitive Memory in Vision-Language-Action Models for Robotic Manipulation"},
		{"Go-with-the-Flow: Motion-Controllable Video Diffusion Models Using Real-Time Warped Noise", "Motion-Controllable Video Diffusion Models"},
		{"Reasoning Language Models: A Blueprint", "Reasoning Language Models"},
		{"Brain Diffusion for Visual Exploration: Cortical Discovery using Large Scale Generative Models", "Brain Diffusion for Visual Exploration"},
		{"The Road Less Scheduled", "Road Less Scheduled"},
		{"Position: AI Agents in Scientific Teams Should Be Studied as Human-Agent Systems", "AI Agents in Scientific Teams Should Be Studied as Human-Agent …"},
		{"  Vision   Language Models are Biased ", "Vision Language Models are Biased"},
	} {
		if got := shortTitle(tc.title, none); got != tc.want {
			t.Errorf("shortTitle(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
	// the part that uses the cluster's terms wins
	score := func(s string) float64 { return float64(strings.Count(strings.ToLower(s), "memory")) }
	if got := shortTitle("Long Term Memory: The Foundation of AI Self-Evolution", score); got != "Long Term Memory" {
		t.Errorf("shortTitle by terms = %q, want %q", got, "Long Term Memory")
	}
}

func TestRIDF(t *testing.T) {
	for _, tc := range []struct {
		term    string
		generic bool
	}{
		{"requiring", true}, {"achieved", true}, {"help", true}, {"available", true}, {"attempts", true}, {"results", true},
		{"video", false}, {"diffusion", false}, {"speech", false},
	} {
		w := ridfWeight(testBackground[tc.term])
		if (w == 0) != tc.generic {
			t.Errorf("%s: weight %.2f (ridf %.3f), generic %v", tc.term, w, ridf(testBackground[tc.term]), tc.generic)
		}
	}
	if r := ridf(TermStats{}); r != 0 {
		t.Errorf("ridf of an unused term: %v", r)
	}
}

func TestCode(t *testing.T) {
	for w, want := range map[string]bool{"v2": true, "s1": true, "r1": true, "o3": true, "gpt4o": false, "video": false, "3d": false, "v": false} {
		if got := code(w); got != want {
			t.Errorf("code(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestTopicsDeterministicBackground(t *testing.T) {
	assign := []int{0, 0, 0, 1, 1, 1}
	o := LabelOptions{Background: testStats}
	a := o.Topics(topicDocs, assign, 2)
	rev := slices.Clone(topicDocs)
	slices.Reverse(rev)
	b := o.Topics(rev, []int{1, 1, 1, 0, 0, 0}, 2)
	for c := range a {
		a[c].Label, b[c].Label = "", "" // the title of a weak one may differ: the papers' order says which is central
		a[c].Strength, b[c].Strength = 0, 0
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("papers reversed: %+v, want %+v", b, a)
	}
	if got := o.Label(topicDocs, assign, 2); !reflect.DeepEqual(got, [][]string{a[0].Terms, a[1].Terms}) {
		t.Errorf("Label = %q, want the Terms of Topics", got)
	}
}

// TestBackgroundSeparatesFiller measures the arXiv abstracts of ../shared:
// the filler words of the labels of real days are generic, the words of
// topics are not.
func TestBackgroundSeparatesFiller(t *testing.T) {
	f, err := os.Open("../../shared/data/arxiv-background/background.jsonl.gz")
	if err != nil {
		t.Skipf("no shared data (%v): skipping", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	df, cf := map[uint64]int{}, map[uint64]int{}
	n := 0
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	var terms []uint64
	for n < 20000 && sc.Scan() {
		var r struct{ Title, Abstract string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		n++
		terms = tfidf.AppendTerms(terms[:0], r.Title+"\n"+r.Abstract, false)
		for _, h := range terms {
			cf[h]++
		}
		slices.Sort(terms)
		for _, h := range slices.Compact(terms) {
			df[h]++
		}
	}
	weight := func(w string) float64 {
		h := tfidf.Hash(w)
		return ridfWeight(TermStats{DF: float64(df[h]) / float64(n), Repeat: float64(cf[h]) / float64(max(1, df[h]))})
	}
	for _, w := range strings.Fields("help requiring achieved available attempts method results observe additional exhibit comprising allowing gains") {
		if x := weight(w); x > 0 {
			t.Errorf("%q: weight %.2f, want a generic word (0)", w, x)
		}
	}
	for _, w := range strings.Fields("video diffusion eeg agent memory robot speech segmentation editing quantum") {
		if x := weight(w); x < 0.5 {
			t.Errorf("%q: weight %.2f, want a topical word (0.5 or more)", w, x)
		}
	}
}
