package cluster

import "strings"

// titleWords is the most words of a title that a label keeps.
const titleWords = 10

// shortTitle shortens a paper's title into a label: of "Name: what it
// is", the part that scores higher, or what it is when they score the same
// ("MemoryVLA: Perceptual-Cognitive Memory in ..." is "Perceptual-Cognitive
// Memory in ..."); a long title ends before the
// words that say how ("... Video Diffusion Models Using Real-Time Warped
// Noise" ends at "Models"), and at most titleWords words.
func shortTitle(title string, score func(part string) float64) string {
	t := strings.Join(strings.Fields(title), " ")
	for _, sep := range []string{": ", " - ", " — ", " – "} {
		head, tail, ok := strings.Cut(t, sep)
		if !ok {
			continue
		}
		hs, ts := score(head), score(tail)
		hw, tw := len(strings.Fields(head)), len(strings.Fields(tail))
		if hs < ts || hs == ts && hw <= 3 && tw >= 3 {
			t = tail
		} else {
			t = head
		}
		break
	}
	words := strings.Fields(t)
	if len(words) > 1 {
		switch strings.ToLower(words[0]) {
		case "a", "an", "the":
			words = words[1:]
		}
	}
	if len(words) > 6 {
		for j := 3; j < len(words); j++ {
			switch strings.ToLower(words[j]) {
			case "via", "using", "with", "through", "by":
				words = words[:j]
			}
		}
	}
	if len(words) > titleWords {
		words = append(words[:titleWords:titleWords], "…")
	}
	return strings.Join(words, " ")
}
