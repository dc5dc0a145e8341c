package target

// SetSplitAbove changes the number of children from which the admissions are counted in two halves,
// and returns the function that restores it. Tests that call it must not run in parallel.
func SetSplitAbove(n int) func() {
	old := splitAbove
	splitAbove = n
	return func() { splitAbove = old }
}
