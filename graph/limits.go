package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/page"
)

// Limits on what one request may ask for. A connection costs its page size times the cost of each
// item, so a page of 100 units each with 100 children is 10,000 and refused.
const (
	MaxComplexity = 5000
	MaxDepth      = 12
)

func connCost(child int, first *int) int {
	n := page.MaxFirst
	if first != nil && *first >= 0 && *first < n {
		n = *first
	}
	return 1 + n*child
}

// complexity sets the cost of every connection field.
func complexity(c *ComplexityRoot) {
	c.Query.RootUnits = func(ch int, _ *model.Date, first *int, _ *string) int { return connCost(ch, first) }
	c.Query.SearchUnits = func(ch int, _ string, _ *model.Date, _ *bool, _ *model.UnitKind, first *int, _ *string) int {
		return connCost(ch, first)
	}
	c.Query.Persons = func(ch int, _ *string, _ *string, first *int, _ *string) int { return connCost(ch, first) }
	c.Query.Candidates = func(ch int, _ *model.CandidateFilter, first *int, _ *string) int { return connCost(ch, first) }
	c.Query.DueList = func(ch int, _ *string, _ *model.Date, _ *model.Date, first *int, _ *string) int {
		return connCost(ch, first)
	}
	c.Query.Targets = func(ch int, _ string, _ *string, first *int, _ *string) int { return connCost(ch, first) }
	c.Query.ChildrenProgress = func(ch int, _ string, _ *string, _ model.PeriodKind, _ *model.Date, _ *model.ProgressSort, first *int, _ *string) int {
		return connCost(ch, first)
	}
	c.Unit.Ancestors = func(ch int, _ *model.Date, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Children = func(ch int, _ *model.Date, _ *model.UnitKind, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Descendants = func(ch int, _ *model.Date, _ *model.UnitKind, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Operations = func(ch int, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Predecessors = func(ch int, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Successors = func(ch int, first *int, _ *string) int { return connCost(ch, first) }
	c.Unit.Villages = func(ch int, _ *model.Date, first *int, _ *string) int { return connCost(ch, first) }
}

// depthLimit refuses operations nested deeper than max fields (fragments included).
type depthLimit struct{ max int }

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
	if n := depth(oc.Operation.SelectionSet, 0, d.max); n > d.max {
		return refuse(apperr.Invalid("query", fmt.Sprintf("Truy vấn lồng quá sâu (tối đa %d cấp).", d.max),
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
	for _, s := range oc.Operation.SelectionSet {
		if f, ok := s.(*ast.Field); ok && (f.Name == "__schema" || f.Name == "__type") {
			return refuse(apperr.New(apperr.Forbidden, "Máy chủ này không cho phép truy vấn cấu trúc API (introspection).",
				"introspection is disabled outside dev mode"))
		}
	}
	return nil
}

func depth(ss ast.SelectionSet, level, max int) int {
	if level > max { // stop early on hostile input
		return level
	}
	deepest := level
	for _, s := range ss {
		var n int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				n = level + 1
			} else {
				n = depth(s.SelectionSet, level+1, max)
			}
		case *ast.InlineFragment:
			n = depth(s.SelectionSet, level, max)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				n = depth(s.Definition.SelectionSet, level, max)
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
