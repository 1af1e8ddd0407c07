package papersift

// SetIndexFrom sets the number of vectors from which similar reads the
// similarity index, until the returned function puts it back.
func SetIndexFrom(n int) func() {
	old := indexFrom
	indexFrom = n
	return func() { indexFrom = old }
}

// IndexAnswers is the number of similar queries the index answered.
func IndexAnswers() int64 { return indexAnswers.Load() }

// IndexMatrices is the number of vector matrices mapped from the index.
func IndexMatrices() int64 { return indexMatrices.Load() }

// SetSmallScope sets the number of papers up to which a scope's vectors
// are read paper by paper, until the returned function puts it back.
func SetSmallScope(n int) func() {
	old := smallScope
	smallScope = n
	return func() { smallScope = old }
}

// SetReorderWindow sets the most vectors an endpoint's embedding holds back
// to store them in order, until the returned function puts it back.
func SetReorderWindow(n int) func() {
	old := reorderWindow
	reorderWindow = n
	return func() { reorderWindow = old }
}
