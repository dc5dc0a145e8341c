// Package graph is the GraphQL layer: the generated executor, thin resolvers that translate between
// GraphQL and the domain packages in internal/, dataloaders, the error presenter and the limits.
package graph

//go:generate go tool gqlgen generate

import (
	"github.com/uptrace/bun"
)

// Resolver holds the dependencies of every resolver.
type Resolver struct {
	DB *bun.DB
	// Dev relaxes production limits: connections may omit `first`.
	Dev bool
}
