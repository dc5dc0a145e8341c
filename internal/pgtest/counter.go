package pgtest

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// QueryCounter records the queries a *bun.DB sends, for tests that assert
// how many round trips an operation takes (for example that a dataloader
// batches, or that a list does not query once per row):
//
//	var qc pgtest.QueryCounter
//	d.App.AddQueryHook(&qc)
//	... // the operation
//	if qc.Count() != 2 { t.Errorf("%d queries: %q", qc.Count(), qc.Queries()) }
//
// Every statement bun runs counts, failed ones included, and so do the
// BEGIN, COMMIT and ROLLBACK of transactions, since each is a round trip.
// Statements run through the embedded *sql.DB directly bypass bun and are
// not seen. Add the hook before the DB is used concurrently: bun's
// AddQueryHook is not synchronized.
type QueryCounter struct {
	mu      sync.Mutex
	queries []string
}

var _ bun.QueryHook = (*QueryCounter)(nil)

// BeforeQuery implements bun.QueryHook.
func (c *QueryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (c *QueryCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	c.mu.Lock()
	c.queries = append(c.queries, e.Query)
	c.mu.Unlock()
}

// Count returns the number of queries since creation or the last Reset.
func (c *QueryCounter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queries)
}

// Reset forgets the queries recorded so far.
func (c *QueryCounter) Reset() {
	c.mu.Lock()
	c.queries = nil
	c.mu.Unlock()
}

// Queries returns the SQL of the recorded queries, oldest first.
func (c *QueryCounter) Queries() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.queries...)
}
