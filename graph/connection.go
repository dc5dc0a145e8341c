package graph

import (
	"context"
	"sync"

	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/page"
)

// connection maps a page of items to the parts every connection has: its edges (cursor and node), its
// nodes and its page info. key gives the cursor key of the i-th item of the page; edge builds the
// connection's own edge type.
func connection[T, E any](p page.Page[T], key func(i int, item *T) string, edge func(cursor string, node *T) E) ([]E, []T, *model.PageInfo) {
	edges := make([]E, len(p.Items))
	cursors := make([]string, len(p.Items))
	for i := range p.Items {
		cursors[i] = page.Cursor(key(i, &p.Items[i]))
		edges[i] = edge(cursors[i], &p.Items[i])
	}
	pi := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev}
	if n := len(cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[n-1]
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return edges, p.Items, pi
}

// totals holds, per connection of the request, how to count the whole list behind it: totalCount
// runs that count only when a client asks for it, so a page that does not show a total pays nothing.
type totals struct {
	mu sync.Mutex
	m  map[any]func(context.Context) (int, error)
}

// withTotal records count as the total of connection c (a pointer) and returns c.
func withTotal[C any](ctx context.Context, c *C, count func(context.Context) (int, error)) *C {
	t := &loadersFor(ctx).totals
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[any]func(context.Context) (int, error){}
	}
	t.m[c] = count
	return c
}

// totalOf runs the count recorded for connection c.
func totalOf(ctx context.Context, c any) (int, error) {
	t := &loadersFor(ctx).totals
	t.mu.Lock()
	count := t.m[c]
	t.mu.Unlock()
	if count == nil {
		return 0, apperr.New(apperr.Internal, "Lỗi hệ thống: danh sách không có tổng số.", "graph: a connection without a recorded total")
	}
	return count(ctx)
}

// pageCursor and pageInfo are the pieces connections were built from before connection(); kept so that
// branches written against them still build when merged. New code uses connection().
func pageCursor(key string) string { return page.Cursor(key) }

func pageInfo(n int, hasNext bool, cursor func(i int) string) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext}
	if n > 0 {
		s, e := cursor(0), cursor(n-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return pi
}
