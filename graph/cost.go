package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/internal/apperr"
	"ptdv/internal/page"
)

// The cost of an operation is computed before it runs, from its text and variables, and an operation
// over MaxCost is refused (INVALID_INPUT, reason COST_LIMIT) without touching the database.
//
// A field costs 1 plus what it selects, unless the table below says more. The table names every field
// whose resolver reaches the database, by how it does:
//
//   - costBatched: through a per-request dataloader, so a page of 100 items asks once for all of them;
//     the field still costs a little per item, for the rows it brings.
//   - costQuery: its own query (or a few) each time it is evaluated: inside a connection of n items,
//     n queries.
//   - costAggregate: counts over a unit's whole subtree (funnel, progress, member counts): the
//     expensive ones, about half a second each on a province. A request may hold a few, not hundreds:
//     1,000 aliases of `funnel` cost 500,000 and are refused.
//   - costExport: a whole list written to a file.
//
// A connection (a field with `first`) costs its own cost plus `first` (at most page.MaxFirst, the
// maximum when absent) times the cost of one item. Query.nodes costs its list of ids times one item.
//
// The figures are relative, not milliseconds; MaxCost lets a dashboard ask a few aggregates and pages of
// 100 items with their batched fields, and refuses fan-outs that would hold the connection pool.
const (
	MaxCost = 5000

	costBatched   = 2
	costQuery     = 10
	costAggregate = 500
	costExport    = 2500
)

// fieldCost is the own cost of a field, before what it selects ("Type.field"). Fields not listed cost 1.
var fieldCost = map[string]int{
	// Query: the entry points.
	"Query.node":             costBatched,
	"Query.nodes":            costBatched,
	"Query.viewer":           costBatched,
	"Query.unit":             costQuery, // by code: its own query
	"Query.rootUnits":        costQuery,
	"Query.searchUnits":      costQuery,
	"Query.unitKinds":        costQuery,
	"Query.person":           costBatched,
	"Query.persons":          costQuery,
	"Query.candidate":        costBatched,
	"Query.candidates":       costQuery,
	"Query.dueList":          costAggregate,
	"Query.funnel":           costAggregate,
	"Query.memberCounts":     costAggregate,
	"Query.pipelineRules":    costQuery,
	"Query.codeList":         costBatched,
	"Query.terms":            costQuery,
	"Query.targets":          costQuery,
	"Query.progress":         costAggregate,
	"Query.childrenProgress": costAggregate,
	"Query.exportList":       costExport,

	// Unit.
	"Unit.kindLabel":        costBatched,
	"Unit.sectorLabel":      costBatched,
	"Unit.name":             costBatched, // at another date than the unit's: the unit loader
	"Unit.depth":            costBatched,
	"Unit.parent":           costBatched,
	"Unit.childCount":       costBatched,
	"Unit.children":         costQuery,
	"Unit.ancestors":        costQuery,
	"Unit.descendants":      costQuery,
	"Unit.descendantCounts": costAggregate,
	"Unit.predecessors":     costQuery,
	"Unit.successors":       costQuery,
	"Unit.villages":         costQuery,
	"Unit.operations":       costQuery,
	// The unit page: as the top-level fields of the same name.
	"Unit.progress":         costAggregate,
	"Unit.childrenProgress": costAggregate,
	"Unit.candidates":       costQuery,
	"Unit.dueList":          costAggregate,
	"Unit.memberCounts":     costAggregate,
	"Unit.terms":            costQuery,
	"Unit.targets":          costQuery,
	"LineageLink.unit":      costBatched,
	"Village.commune":       costBatched,
	"Village.cell":          costBatched,

	// People and members.
	"Person.village":      costQuery,
	"Person.unit":         costBatched,
	"Person.positions":    costQuery,
	"Person.memberStatus": costQuery,
	"Person.memberEvents": costQuery,
	"Person.candidate":    costQuery,
	"MemberEvent.unit":    costBatched,

	// The pipeline.
	"Candidate.person":    costBatched,
	"Candidate.cell":      costBatched,
	"Candidate.proposer":  costBatched,
	"Candidate.helper":    costBatched,
	"Candidate.sponsors":  costBatched,
	"Candidate.dues":      costBatched,
	"Candidate.nextDue":   costBatched,
	"Candidate.history":   costQuery,
	"Candidate.reviews":   costQuery,
	"Due.candidate":       costBatched,
	"Sponsor.person":      costBatched,
	"CodeItem.label":      costBatched,
	"StageCount.label":    1,
	"PipelineRule.label":  costBatched,
	"Person.sex":          costBatched,
	"Person.ethnicity":    costBatched,
	"Person.religion":     costBatched,
	"Person.occupation":   costBatched,
	"Person.workplace":    1,
	"Person.nationalId":   1,
	"Position.position":   costBatched,
	"Progress.unit":       costBatched,
	"ChildProgress.unit":  1, // loaded with the page
	"Person.ageException": 1,

	// Targets.
	"Term.unit":         costBatched,
	"Target.unit":       costBatched,
	"Target.parent":     costQuery,
	"Target.revisions":  costQuery,
	"Target.allocation": costQuery,
	// One unit's progress against one target: a subtree count, but the unit's own, and a page of targets
	// with their progress is a normal screen.
	"Target.progress": costQuery * 5,
	// The decided cases of a subtree not admitted yet: a subtree count, asked with a progress.
	"Progress.decidedNotAdmitted": costQuery * 5,
}

// connectionFields are the fields paged with `first`.
var connectionFields = map[string]bool{
	"Query.rootUnits": true, "Query.searchUnits": true, "Query.persons": true, "Query.candidates": true,
	"Query.dueList": true, "Query.targets": true, "Query.childrenProgress": true,
	"Unit.ancestors": true, "Unit.children": true, "Unit.descendants": true, "Unit.operations": true,
	"Unit.predecessors": true, "Unit.successors": true, "Unit.villages": true,
	"Unit.childrenProgress": true, "Unit.candidates": true, "Unit.dueList": true, "Unit.targets": true,
}

// ownQueries are the fields whose evaluation runs its own database query (not a batched one): they take a
// slot of the actor's database share (limitOwnQueries). Keyed without concatenation: it is looked up for
// every resolver call.
var ownQueries = func() map[[2]string]bool {
	m := map[[2]string]bool{}
	for k, c := range fieldCost {
		if c >= costQuery {
			typ, field, _ := strings.Cut(k, ".")
			m[[2]string{typ, field}] = true
		}
	}
	return m
}()

func ownQuery(object, field string) bool { return ownQueries[[2]string{object, field}] }

// costSchema gives gqlgen's complexity walker the costs of the table.
type costSchema struct{ graphql.ExecutableSchema }

func (s costSchema) Complexity(_ context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	key := typeName + "." + field
	own, ok := fieldCost[key]
	if !ok {
		own = 1
	}
	switch {
	case connectionFields[key]:
		return safeAdd(own, safeMul(pageSize(args["first"]), child)), true
	case key == "Query.nodes":
		ids, _ := args["ids"].([]any)
		return safeAdd(own, safeMul(len(ids), safeAdd(own, child))), true
	}
	return safeAdd(own, child), true
}

// pageSize is the number of items a connection may return for its `first` argument.
func pageSize(v any) int {
	n := page.MaxFirst
	var f int64
	switch v := v.(type) {
	case int:
		f = int64(v)
	case int64:
		f = v
	case float64:
		f = int64(v)
	case json.Number:
		f, _ = v.Int64()
	default:
		return n
	}
	if f >= 0 && f < int64(n) {
		return int(f)
	}
	return n
}

const maxInt = int(^uint(0) >> 1)

func safeAdd(a, b int) int {
	if a > maxInt-b {
		return maxInt
	}
	return a + b
}

func safeMul(a, b int) int {
	if a != 0 && b > maxInt/a {
		return maxInt
	}
	return a * b
}

// costLimit refuses operations that cost more than max, before they run.
type costLimit struct {
	max int
	es  graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &costLimit{}

func (*costLimit) ExtensionName() string { return "CostLimit" }
func (c *costLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = costSchema{es}
	return nil
}

func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	cost := complexity.Calculate(ctx, c.es, oc.Operation, oc.Variables)
	if cost <= c.max {
		return nil
	}
	return refuseProtocol("COST_LIMIT", apperr.Invalid("query",
		fmt.Sprintf("Truy vấn đòi quá nhiều dữ liệu một lúc (chi phí %d, tối đa %d); hãy chia thành nhiều truy vấn nhỏ hơn.", cost, c.max),
		fmt.Sprintf("operation cost %d exceeds the limit of %d", cost, c.max)))
}

// refuseProtocol is refuse for a request refused as a whole before it runs: HTTP 422, like a validation
// error, with the reason in extensions.reason.
func refuseProtocol(reason string, e *apperr.Error) *gqlerror.Error {
	err := refuse(e)
	errcode.Set(err, reason)
	return err
}

func init() {
	errcode.RegisterErrorType("COST_LIMIT", errcode.KindProtocol)
	errcode.RegisterErrorType("DEPTH_LIMIT", errcode.KindProtocol)
}
