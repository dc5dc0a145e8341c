// Package graph is the GraphQL layer: the generated executor, thin resolvers that translate between
// GraphQL and the domain packages in internal/, dataloaders, the error presenter and the limits.
package graph

//go:generate go tool gqlgen generate

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/uptrace/bun"
	"github.com/vektah/gqlparser/v2/ast"
)

// Resolver holds the dependencies of every resolver.
type Resolver struct {
	// DB is the primary: mutations, and everything a mutation's operation reads (its payload), run on it.
	DB *bun.DB
	// Read, when set, is a read replica (DATABASE_READ_URL) that query operations read from.
	Read *bun.DB
	// Dev relaxes production limits: connections may omit `first`.
	Dev bool
}

// db is the pool an operation's resolvers use: Read for a query when there is one, DB otherwise. The
// choice is per operation, so a mutation reads its own writes (a replica may lag behind them).
func (r *Resolver) db(ctx context.Context) *bun.DB {
	if r.Read != nil && isQuery(ctx) {
		return r.Read
	}
	return r.DB
}

func isQuery(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	oc := graphql.GetOperationContext(ctx)
	return oc.Operation != nil && oc.Operation.Operation == ast.Query
}
