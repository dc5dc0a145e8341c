package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/internal/apperr"
)

// MaxDepth is the deepest nesting of fields an operation may have (fragments included). In dev mode
// the schema's own description (__schema, __type) is exempt: the standard introspection query of
// GraphiQL and graphql-codegen is 15 deep, and outside dev mode it is refused anyway.
const MaxDepth = 12

// depthLimit refuses operations nested deeper than max fields (fragments included).
type depthLimit struct {
	max int
	dev bool // introspection subtrees are not counted
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if n := depth(oc.Operation.SelectionSet, 0, d.max, d.dev); n > d.max {
		return refuseProtocol("DEPTH_LIMIT", apperr.Invalid("query", fmt.Sprintf("Truy vấn lồng quá sâu (tối đa %d cấp).", d.max),
			fmt.Sprintf("query depth exceeds %d", d.max)))
	}
	return nil
}

// refuse wraps a domain error so the error presenter finds its code.
func refuse(e *apperr.Error) *gqlerror.Error { return &gqlerror.Error{Message: e.Message, Err: e} }

// noIntrospection refuses __schema and __type outside dev mode with FORBIDDEN: the schema of a
// production server is not public.
type noIntrospection struct{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	// Anywhere in the operation: a fragment on Query (inline or named, nested or not) reaches the same
	// root fields as the top level.
	if introspects(oc.Operation.SelectionSet, map[string]bool{}) {
		return refuse(apperr.New(apperr.Forbidden, "Máy chủ này không cho phép truy vấn cấu trúc API (introspection).",
			"introspection is disabled outside dev mode"))
	}
	return nil
}

func isIntrospection(name string) bool { return name == "__schema" || name == "__type" }

// introspects reports whether a selection set selects __schema or __type at any level, through any
// fragment. seen guards against fragment cycles (validation refuses them, but this must not loop).
func introspects(ss ast.SelectionSet, seen map[string]bool) bool {
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.Field:
			if isIntrospection(s.Name) || introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(s.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}

func depth(ss ast.SelectionSet, level, max int, skipIntrospection bool) int {
	if level > max { // stop early on hostile input
		return level
	}
	deepest := level
	for _, s := range ss {
		var n int
		switch s := s.(type) {
		case *ast.Field:
			if skipIntrospection && isIntrospection(s.Name) {
				n = level + 1
			} else if len(s.SelectionSet) == 0 {
				n = level + 1
			} else {
				n = depth(s.SelectionSet, level+1, max, skipIntrospection)
			}
		case *ast.InlineFragment:
			n = depth(s.SelectionSet, level, max, skipIntrospection)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				n = depth(s.Definition.SelectionSet, level, max, skipIntrospection)
			}
		}
		deepest = max2(deepest, n)
	}
	return deepest
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}
