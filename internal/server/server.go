// Package server is the HTTP side of `ptdv serve`: the GraphQL endpoint behind authentication, the
// health and metrics endpoints, GraphiQL in dev mode, and the middleware every request passes:
// request id, structured log line, metrics, panic recovery, body-size and duration limits.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uptrace/bun"

	"ptdv/graph"
	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/db"
	"ptdv/internal/graphiql"
)

// Config is what the server needs.
type Config struct {
	DB *bun.DB // connected as the application role
	// ReadDB, when set, is a read replica (connected as the application role too) that query operations
	// read from; mutations, and what a mutation's operation reads, stay on DB.
	ReadDB    *bun.DB
	JWTSecret []byte
	Dev       bool // GraphiQL, introspection, connections without `first`
	Logger    *slog.Logger
	// Limits; zero values take the defaults below.
	MaxBodyBytes   int64
	RequestTimeout time.Duration
	// ActorConcurrency is an actor's share: requests at once, and resolvers running their own database
	// queries at once (DefaultActorConcurrency); a request over it waits up to ActorWait
	// (DefaultActorWait), then is refused with TOO_MANY_REQUESTS.
	ActorConcurrency int
	ActorWait        time.Duration
	// GraphiQL defaults in dev mode.
	DevToken, DevQuery string
	// Trusted is the manifest of the frontends' operations (nil: none); with Trusted.Only the server runs
	// nothing else.
	Trusted *graph.TrustedDocuments
	// Migrations to compare against in /readyz (normally db.Migrations).
	Migrations fs.FS
}

// Defaults for the limits.
const (
	DefaultMaxBody = 1 << 20 // 1 MiB: a GraphQL document, not a file upload (multipart uploads: graph.MaxUpload)
	DefaultTimeout = 30 * time.Second
)

// New builds the HTTP handler.
func New(cfg Config) http.Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBody
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultTimeout
	}
	if cfg.Migrations == nil {
		cfg.Migrations = db.Migrations
	}
	if cfg.ActorConcurrency <= 0 {
		cfg.ActorConcurrency = DefaultActorConcurrency
	}
	if cfg.ActorWait <= 0 {
		cfg.ActorWait = DefaultActorWait
	}
	log := cfg.Logger
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(cfg.DB.DB, "ptdv"))
	m := newMetrics(reg)
	cfg.DB.AddQueryHook(sqlHook{m.sql.WithLabelValues("primary")})
	if cfg.ReadDB != nil {
		cfg.ReadDB.AddQueryHook(sqlHook{m.sql.WithLabelValues("read")})
	}

	var gql http.Handler = graph.NewHandler(&graph.Resolver{DB: cfg.DB, Read: cfg.ReadDB, Dev: cfg.Dev}, log, cfg.Trusted)
	if cfg.Trusted != nil {
		gql = cfg.Trusted.Middleware(gql)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok") // alive; never touches the database
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := cfg.DB.PingContext(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		pending, err := db.Pending(ctx, cfg.DB, cfg.Migrations)
		if err != nil || len(pending) > 0 {
			http.Error(w, fmt.Sprintf("migrations pending: %v", pending), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	actors := newActorLimiter(cfg.ActorConcurrency, cfg.ActorWait)
	mux.Handle("/graphql", authenticate(cfg, actors.middleware(codedErrors(http.TimeoutHandler(gql, cfg.RequestTimeout, timeoutBody)))))
	if cfg.Dev {
		mux.Handle("/", graphiql.Handler(graphiql.Options{Endpoint: "/graphql", Token: cfg.DevToken,
			DefaultQuery: cfg.DevQuery, Title: "ptdv — GraphQL"}))
	}
	return requestID(logRequests(log, m, recoverPanics(log, limitBody(cfg.MaxBodyBytes, mux))))
}

var timeoutBody = mustJSON(errorBody(apperr.Internal, "Yêu cầu xử lý quá lâu và đã bị dừng.", "request timed out"))

type ctxKey int

const requestIDKey ctxKey = 0

// requestID takes the caller's X-Request-ID (if sane) or makes one, and echoes it.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// RequestID returns the request's id.
func RequestID(ctx context.Context) string { s, _ := ctx.Value(requestIDKey).(string); return s }

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func logRequests(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		route := routeOf(r.URL.Path)
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(d.Seconds())
		if route == "/healthz" || route == "/metrics" {
			return // probes would drown the log
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", RequestID(r.Context())), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", d))
	})
}

// routeOf keeps metric labels bounded: known routes, everything else as "other".
func routeOf(p string) string {
	switch {
	case p == "/graphql", p == "/healthz", p == "/readyz", p == "/metrics":
		return p
	case p == "/" || strings.HasPrefix(p, "/assets/"):
		return "/graphiql"
	}
	return "other"
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", RequestID(r.Context()))
				writeError(w, http.StatusInternalServerError, apperr.Internal, "Lỗi hệ thống.", "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := n
		// A multipart request carries a file for importList; its size is checked again by the transport.
		upload := isMultipart(r)
		if upload {
			n = graph.MaxUpload
		}
		switch {
		case r.ContentLength > n && upload:
			writeError(w, http.StatusRequestEntityTooLarge, apperr.InvalidFile,
				fmt.Sprintf("Tệp tải lên lớn quá %d MB; hãy chia nhỏ tệp.", n>>20), fmt.Sprintf("upload over %d bytes", n))
			return
		case r.ContentLength > n:
			writeError(w, http.StatusRequestEntityTooLarge, apperr.InvalidInput,
				"Yêu cầu quá lớn.", fmt.Sprintf("request body over %d bytes", n))
			return
		}
		// Without a Content-Length (chunked) the limit is met while reading: codedErrors then answers 413.
		hit := new(atomic.Bool)
		r.Body = limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, n), hit: hit}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyLimitKey{}, hit)))
	})
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// authenticate turns the bearer token into the request's actor; without a valid one the request is
// refused with UNAUTHENTICATED before any resolver runs.
func authenticate(cfg Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			writeError(w, http.StatusUnauthorized, apperr.Unauthenticated,
				"Cần đăng nhập: gửi mã đăng nhập trong tiêu đề Authorization: Bearer <mã>.", "missing bearer token")
			return
		}
		claims, err := auth.Verify(cfg.JWTSecret, strings.TrimSpace(tok))
		var actor *auth.Actor
		if err == nil {
			actor, err = auth.Resolve(r.Context(), cfg.DB, claims)
		}
		if err != nil {
			if e, ok := apperr.As(err); ok {
				writeError(w, http.StatusUnauthorized, e.Code, e.Message, e.MessageEN)
				return
			}
			cfg.Logger.ErrorContext(r.Context(), "resolve actor", "err", err, "request_id", RequestID(r.Context()))
			writeError(w, http.StatusServiceUnavailable, apperr.Internal, "Lỗi hệ thống, vui lòng thử lại sau.", "internal error")
			return
		}
		actor.RequestID = RequestID(r.Context())
		next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), actor)))
	})
}

func errorBody(code apperr.Code, vi, en string) map[string]any {
	return map[string]any{"errors": []map[string]any{{
		"message": vi, "extensions": map[string]any{"code": string(code), "messageEn": en}}}}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func writeError(w http.ResponseWriter, status int, code apperr.Code, vi, en string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody(code, vi, en))
}

// Serve runs the handler on addr until ctx ends, then shuts down gracefully, letting requests in
// flight finish (up to grace).
func Serve(ctx context.Context, addr string, h http.Handler, grace time.Duration, ready func(addr string)) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
