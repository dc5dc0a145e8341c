package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"ptdv/internal/apperr"
)

// NewHandler builds the GraphQL handler: explicit transports (GET, POST, multipart), a parsed-query
// cache, trusted documents (when a manifest is given), automatic persisted queries (unless only trusted
// documents run), cost (cost.go) and depth limits, a bound on the resolvers running their own queries
// at once, and the error presenter. Outside dev mode introspection and the validator's suggestions are
// off. trusted may be nil; a request's top-level documentId needs trusted.Middleware around the handler.
func NewHandler(r *Resolver, log *slog.Logger, trusted *TrustedDocuments) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// importList's file: the GraphQL multipart request specification, files over 8 MiB spill to disk.
	srv.AddTransport(safeMultipart{transport.MultipartForm{MaxUploadSize: MaxUpload, MaxMemory: 8 << 20}})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(15000)
	if trusted != nil {
		srv.Use(trusted)
	}
	if trusted == nil || !trusted.Only {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	}
	// Introspection first: outside dev mode the introspection query is refused as such, not as too deep.
	if r.Dev {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
		srv.SetDisableSuggestion(true)
	}
	srv.Use(&costLimit{max: MaxCost})
	srv.Use(depthLimit{max: MaxDepth, dev: r.Dev})
	srv.SetErrorPresenter(ErrorPresenter(log, r.Dev))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", p)
		return errInternalPanic
	})
	// Per-request dataloaders: caches never outlive the caller (and so the caller's scope).
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx = context.WithValue(ctx, loadersKey{}, newLoaders(r.db(ctx)))
		if _, ok := ctx.Value(dbSlotsKey{}).(chan struct{}); !ok {
			ctx = WithDBSlots(ctx, make(chan struct{}, DefaultDBSlots))
		}
		return next(ctx)
	})
	srv.AroundFields(limitOwnQueries)
	return srv
}

// DefaultDBSlots is how many resolvers that run their own queries one request runs at once when the
// caller set no slots of its own (WithDBSlots).
const DefaultDBSlots = 4

type dbSlotsKey struct{}

// WithDBSlots gives the operations run with ctx a semaphore (a buffered channel, its capacity the
// number of slots) that bounds how many of their resolvers run their own database queries at once.
// gqlgen resolves the root fields of a query, and the items of a list, concurrently: without it, one
// request with 20 aliases of an aggregate holds 20 connections. The server shares one semaphore among
// all the requests of an actor, so that an actor holds a bounded share of the pool.
func WithDBSlots(ctx context.Context, slots chan struct{}) context.Context {
	return context.WithValue(ctx, dbSlotsKey{}, slots)
}

// limitOwnQueries takes a slot around each resolver that runs its own query (fieldCost ≥ costQuery).
// Only the resolver's call holds it: its result's fields are resolved after it returns, so a resolver
// never waits, slot in hand, for another that needs one. Batched fields take none: their loader runs
// one query for the whole batch, outside any resolver.
func limitOwnQueries(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || fc.Field.Field == nil || !ownQuery(fc.Object, fc.Field.Name) {
		return next(ctx)
	}
	slots, ok := ctx.Value(dbSlotsKey{}).(chan struct{})
	if !ok {
		return next(ctx)
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-slots }()
	return next(ctx)
}

type panicError struct{}

func (panicError) Error() string { return "panic in resolver" }

var errInternalPanic error = panicError{}

// safeMultipart is gqlgen's multipart transport, answering a malformed map with INVALID_INPUT: the
// transport walks the map's paths ("variables.file.0") into the variables with unchecked type
// assertions and index expressions, and panics on a path through a string, a null or past a list's end.
// Resolvers' panics never reach here (the executor recovers them per field).
type safeMultipart struct{ transport.MultipartForm }

func (t safeMultipart) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
				"message":    "Biểu mẫu tải tệp (multipart) không hợp lệ: đường dẫn trong phần map không trỏ tới một biến của truy vấn.",
				"extensions": map[string]any{"code": string(apperr.InvalidInput), "messageEn": "multipart map path does not match the variables"},
			}}})
		}
	}()
	t.MultipartForm.Do(w, r, exec)
}
