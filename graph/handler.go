package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
)

// NewHandler builds the GraphQL handler: explicit transports (GET and POST), a parsed-query cache,
// automatic persisted queries, complexity and depth limits, and the error presenter. Outside dev
// mode introspection and field suggestions are off.
func NewHandler(r *Resolver, log *slog.Logger) *handler.Server {
	cfg := Config{Resolvers: r}
	complexity(&cfg.Complexity)
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// importList's file: the GraphQL multipart request specification, files over 8 MiB spill to disk.
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: MaxUpload, MaxMemory: 8 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(15000)
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
	if r.Dev {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
		srv.SetDisableSuggestion(true)
	}
	srv.SetErrorPresenter(ErrorPresenter(log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", p)
		return errInternalPanic
	})
	// Per-request dataloaders: caches never outlive the caller (and so the caller's scope).
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLoaders(r.DB)))
	})
	return srv
}

type panicError struct{}

func (panicError) Error() string { return "panic in resolver" }

var errInternalPanic error = panicError{}
