package server

import (
	"context"
	"net"

	"github.com/uptrace/bun"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	sql      *prometheus.CounterVec
}

// sqlHook counts the statements a pool sends (ptdv_sql_statements_total{pool}): with the request
// counter, the SQL statements per request that make bench-api prints.
type sqlHook struct{ c prometheus.Counter }

func (h sqlHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (h sqlHook) AfterQuery(context.Context, *bun.QueryEvent)                        { h.c.Inc() }

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ptdv_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ptdv_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route"}),
	}
	m.sql = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ptdv_sql_statements_total", Help: "SQL statements sent, by pool (primary, read)."}, []string{"pool"})
	reg.MustRegister(m.requests, m.latency, m.sql)
	return m
}

func listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
