package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"ptdv/graph"
	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// Defaults of the per-actor limits (Config.ActorConcurrency, Config.ActorWait).
const (
	DefaultActorConcurrency = 4
	DefaultActorWait        = time.Second
)

// actorLimiter gives each actor (subject and unit of the token) a fair share of the server: at most n
// GraphQL requests at once, and at most n resolvers that run their own database queries at once across
// those requests (graph.WithDBSlots). A request over the share waits up to wait for a slot, then is
// refused with TOO_MANY_REQUESTS (HTTP 429): one actor flooding the API queues behind itself, not
// in front of everybody else.
type actorLimiter struct {
	n    int
	wait time.Duration

	mu     sync.Mutex
	actors map[string]*actorShare
}

type actorShare struct {
	requests chan struct{}
	db       chan struct{}
	users    int // requests holding or waiting for this share; the share is dropped at 0
}

func newActorLimiter(n int, wait time.Duration) *actorLimiter {
	return &actorLimiter{n: n, wait: wait, actors: map[string]*actorShare{}}
}

func (l *actorLimiter) share(key string) *actorShare {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.actors[key]
	if s == nil {
		s = &actorShare{requests: make(chan struct{}, l.n), db: make(chan struct{}, l.n)}
		l.actors[key] = s
	}
	s.users++
	return s
}

func (l *actorLimiter) done(key string, s *actorShare) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.users--; s.users == 0 {
		delete(l.actors, key)
	}
}

func (l *actorLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := auth.FromContext(r.Context())
		if err != nil { // OPTIONS: no actor, no work
			next.ServeHTTP(w, r)
			return
		}
		key := a.Subject + "\x00" + strconv.FormatInt(a.UnitID, 10)
		s := l.share(key)
		defer l.done(key, s)
		timer := time.NewTimer(l.wait)
		defer timer.Stop()
		select {
		case s.requests <- struct{}{}:
		case <-timer.C:
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, apperr.TooManyRequests,
				"Bạn đang gửi quá nhiều yêu cầu cùng lúc; hãy đợi các yêu cầu trước xong rồi thử lại.",
				"too many concurrent requests for this actor")
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-s.requests }()
		next.ServeHTTP(w, r.WithContext(graph.WithDBSlots(r.Context(), s.db)))
	})
}

type bodyLimitKey struct{}

// limitedBody records that a request body went over its limit, so that the response can say so with a
// code whatever layer met the error (gqlgen's transports report it in their own words, or not at all).
type limitedBody struct {
	io.ReadCloser
	hit *atomic.Bool
}

func (b limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.hit.Store(true)
	}
	return n, err
}

func bodyLimitHit(ctx context.Context) bool {
	hit, _ := ctx.Value(bodyLimitKey{}).(*atomic.Bool)
	return hit != nil && hit.Load()
}

// codedErrors makes every error response of the GraphQL endpoint carry extensions.code. gqlgen's
// transports answer some malformed requests (a multipart form that is not one, a mutation over GET, a
// body cut at the size limit) with a bare English message; those get a code chosen by their status, a
// Vietnamese message, and the transport's words (shortened) in extensions.messageEn. A body over the
// limit becomes 413 whatever the transport said.
func codedErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &codeWriter{w: w, r: r}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// codeWriter passes a successful response through and holds back an error response (status ≥ 400, or
// any response once the body limit was hit) to rewrite it in finish.
type codeWriter struct {
	w       http.ResponseWriter
	r       *http.Request
	status  int
	held    bool
	started bool
	buf     bytes.Buffer
}

func (c *codeWriter) Header() http.Header { return c.w.Header() }

func (c *codeWriter) WriteHeader(status int) {
	if c.started {
		return
	}
	c.started = true
	c.status = status
	if status >= 400 || bodyLimitHit(c.r.Context()) {
		c.held = true
		return
	}
	c.w.WriteHeader(status)
}

func (c *codeWriter) Write(b []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.held {
		return c.buf.Write(b)
	}
	return c.w.Write(b)
}

func (c *codeWriter) Flush() {
	if f, ok := c.w.(http.Flusher); ok && !c.held {
		f.Flush()
	}
}

func (c *codeWriter) finish() {
	if !c.held {
		return
	}
	multipart := isMultipart(c.r)
	if bodyLimitHit(c.r.Context()) {
		if multipart {
			writeError(c.w, http.StatusRequestEntityTooLarge, apperr.InvalidFile,
				"Tệp tải lên quá lớn; hãy chia nhỏ tệp.", "upload over the size limit")
		} else {
			writeError(c.w, http.StatusRequestEntityTooLarge, apperr.InvalidInput, "Yêu cầu quá lớn.", "request body too large")
		}
		return
	}
	var resp struct {
		Errors []map[string]any `json:"errors"`
		Data   json.RawMessage  `json:"data,omitempty"`
	}
	if err := json.Unmarshal(c.buf.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
		code, vi := codeForStatus(c.status, multipart)
		writeError(c.w, c.status, code, vi, http.StatusText(c.status))
		return
	}
	for _, e := range resp.Errors {
		ext, _ := e["extensions"].(map[string]any)
		if _, ok := ext["code"]; ok {
			continue
		}
		code, vi := codeForStatus(c.status, multipart)
		en, _ := e["message"].(string)
		if len(en) > 200 {
			en = en[:200] + "…"
		}
		e["message"] = vi
		e["extensions"] = map[string]any{"code": string(code), "messageEn": en}
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(mustJSON(errorBody(apperr.Internal, "Lỗi hệ thống.", "internal error")))
	}
	c.w.Header().Del("Content-Length")
	c.w.WriteHeader(c.status)
	_, _ = c.w.Write(b)
}

// codeForStatus is the code and message of a transport's bare error.
func codeForStatus(status int, multipart bool) (apperr.Code, string) {
	switch {
	case status == http.StatusRequestEntityTooLarge && multipart:
		return apperr.InvalidFile, "Tệp tải lên quá lớn; hãy chia nhỏ tệp."
	case status == http.StatusRequestEntityTooLarge:
		return apperr.InvalidInput, "Yêu cầu quá lớn."
	case status >= 500:
		return apperr.Internal, "Lỗi hệ thống, vui lòng thử lại sau."
	case status == http.StatusNotAcceptable || status == http.StatusMethodNotAllowed:
		return apperr.InvalidInput, "Phương thức HTTP này không dùng được cho yêu cầu này (thao tác thay đổi dữ liệu phải gửi bằng POST)."
	case multipart:
		return apperr.InvalidInput, "Biểu mẫu tải tệp (multipart) không hợp lệ: cần phần operations, phần map rồi đến các tệp, theo đặc tả GraphQL multipart request."
	}
	return apperr.InvalidInput, "Yêu cầu GraphQL không hợp lệ."
}
