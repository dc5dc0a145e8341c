package bulk

// OneByOne returns the options with the batch path off, so tests can compare the two paths.
func OneByOne(o Options) Options {
	o.oneByOne = true
	return o
}

// SetChunk changes the batch path's chunk size for a test and returns the function that restores it.
func SetChunk(n int) func() {
	old := chunk
	chunk = n
	return func() { chunk = old }
}

// Writes is how many chunk writes and one-by-one rows imports have run so far.
func Writes() int64 { return writeCount.Load() }
