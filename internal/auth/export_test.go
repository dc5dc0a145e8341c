package auth

// ResetEndedCache empties the cache of ended units, for a benchmark of a cold resolve.
func ResetEndedCache() {
	endedCache.Lock()
	clear(endedCache.m)
	endedCache.Unlock()
}
