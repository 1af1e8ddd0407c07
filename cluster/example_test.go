package cluster_test

import (
	"context"
	"fmt"
	"math"

	"github.com/papersift/papersift/cluster"
)

// unit returns the 2-d unit vector at angle deg.
func unit(deg float64) []float32 {
	r := deg * math.Pi / 180
	return []float32{float32(math.Cos(r)), float32(math.Sin(r))}
}

func ExampleKMeans_Fit() {
	// six papers, two topics: around 0° and around 90°
	var data []float32
	for _, deg := range []float64{0, 5, -5, 90, 85, 95} {
		data = append(data, unit(deg)...)
	}
	res, err := cluster.KMeans{K: 2, Seed: 1}.Fit(context.Background(), data, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("same cluster:", res.Assign[0] == res.Assign[1], res.Assign[0] == res.Assign[2], res.Assign[3] == res.Assign[4])
	fmt.Println("different clusters:", res.Assign[0] != res.Assign[3])
	fmt.Printf("sizes %v, cosine of paper 1 to its centroid %.3f\n", res.Sizes, res.Cos[1])
	// Output:
	// same cluster: true true true
	// different clusters: true
	// sizes [3 3], cosine of paper 1 to its centroid 0.996
}

func ExampleAutoK_Fit() {
	// three topics of four papers each, at 0°, 120° and 240°
	var data []float32
	for _, centre := range []float64{0, 120, 240} {
		for _, off := range []float64{-4, -1, 2, 5} {
			data = append(data, unit(centre+off)...)
		}
	}
	// 12 points allow k up to MaxK(12) = 2 by default: ask for up to 5
	ch, err := cluster.AutoK{Max: 5, KMeans: cluster.KMeans{Seed: 1}}.Fit(context.Background(), data, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("k = %d by %s %.2f\n", ch.K, ch.Criterion, ch.Score)
	for _, t := range ch.Tried {
		fmt.Printf("k=%d: %.2f\n", t.K, t.Score)
	}
	// Output:
	// k = 3 by silhouette 1.00
	// k=2: 0.62
	// k=3: 1.00
	// k=4: 0.91
	// k=5: 0.81
}

func ExampleMaxK() {
	for _, n := range []int{5, 56, 300, 5000} {
		fmt.Println(n, "papers: k up to", cluster.MaxK(n))
	}
	// Output:
	// 5 papers: k up to 1
	// 56 papers: k up to 5
	// 300 papers: k up to 12
	// 5000 papers: k up to 20
}

func ExampleLabels() {
	docs := []cluster.Doc{
		{Title: "Graph neural networks for molecules", Abstract: "A graph neural network predicts molecular properties by message passing."},
		{Title: "Scaling graph neural networks", Abstract: "Message passing on large graphs with neighbour sampling and a new graph neural network."},
		{Title: "Speech recognition in noise", Abstract: "Acoustic models for speech recognition degrade in noise; augmentation helps."},
		{Title: "Streaming speech recognition", Abstract: "A streaming acoustic model for speech recognition with low latency."},
	}
	for c, terms := range cluster.Labels(docs, []int{0, 0, 1, 1}, 2) {
		fmt.Println(c, terms)
	}
	// Output:
	// 0 [graph neural network message passing]
	// 1 [speech recognition acoustic model]
}

func ExampleSilhouette() {
	data := append(append(append(unit(0), unit(10)...), unit(180)...), unit(190)...)
	s, err := cluster.Silhouette(context.Background(), data, 2, []int{0, 0, 1, 1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", s)
	// Output:
	// 0.992
}
