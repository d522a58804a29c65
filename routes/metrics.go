package routes

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pcmt/apperr"
	"pcmt/store"
)

// Prometheus metrics, served at /metrics when [Metrics] Enabled. Labels
// are route templates ("/breaches/:id", or "none" when no route takes the
// request), methods and status codes: never a path as requested, a user,
// an account or a search term.

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	serve    fiber.Handler
}

func newMetrics(st *store.Store) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pcmt_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pcmt_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	m.registry.MustRegister(m.requests, m.duration, newOpsCollector(st),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.serve = adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return m
}

// observeRequests counts every request with its final status and time: it
// runs outside accessLog, which turns errors into responses.
func (h *Handler) observeRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := h.templates.of(c)
	method := methodLabel(c.Method())
	h.metrics.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().StatusCode())).Inc()
	h.metrics.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	return err
}

// methodLabel is the method as a label: one of a fixed set, never the
// request's own bytes (fasthttp reuses them, and a client may send any).
func methodLabel(m string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodDelete, fiber.MethodHead,
		fiber.MethodPut, fiber.MethodPatch, fiber.MethodOptions} {
		if m == known {
			return known
		}
	}
	return "other"
}

// showMetrics is the Prometheus scrape endpoint.
func (h *Handler) showMetrics(c *fiber.Ctx) error { return h.metrics.serve(c) }

// metricsGuard lets a scraper in with the configured bearer token; with
// metrics off the route does not exist.
func (h *Handler) metricsGuard(c *fiber.Ctx) error {
	if h.metrics == nil {
		return fiber.ErrNotFound
	}
	token, _ := bearerToken(c)
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(h.cfg.Metrics.Token))
	if token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="pcmt metrics"`)
		return apperr.New(apperr.Unauthorized, "Metrics need the bearer token of [Metrics] Token.")
	}
	return c.Next()
}

// opsCollector reads queue and job figures from the database at each
// scrape.
type opsCollector struct {
	store                          *store.Store
	outboxPending, outboxOldestAge *prometheus.Desc
	jobs                           *prometheus.Desc
	bytesDone, bytesTotal, records *prometheus.Desc
	syncDone, syncTotal            *prometheus.Desc
}

func newOpsCollector(st *store.Store) *opsCollector {
	return &opsCollector{
		store:           st,
		outboxPending:   prometheus.NewDesc("pcmt_outbox_pending", "Mails not yet accepted by the mail server.", nil, nil),
		outboxOldestAge: prometheus.NewDesc("pcmt_outbox_oldest_pending_age_seconds", "Age of the oldest mail not yet accepted by the mail server (0 when none).", nil, nil),
		jobs:            prometheus.NewDesc("pcmt_import_jobs", "Import jobs, corpus syncs among them, by state.", []string{"state"}, nil),
		bytesDone:       prometheus.NewDesc("pcmt_import_running_bytes_done", "Bytes read by the running import jobs.", nil, nil),
		bytesTotal:      prometheus.NewDesc("pcmt_import_running_bytes_total", "Size of the files of the running import jobs.", nil, nil),
		records:         prometheus.NewDesc("pcmt_import_running_records", "Records stored by the running import jobs.", nil, nil),
		syncDone:        prometheus.NewDesc("pcmt_corpus_sync_running_ranges_done", "Ranges fetched by the running corpus syncs.", nil, nil),
		syncTotal:       prometheus.NewDesc("pcmt_corpus_sync_running_ranges_total", "Ranges the running corpus syncs fetch in all.", nil, nil),
	}
}

// Describe sends the collector's metric descriptions.
func (o *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{o.outboxPending, o.outboxOldestAge, o.jobs, o.bytesDone, o.bytesTotal, o.records, o.syncDone, o.syncTotal} {
		ch <- d
	}
}

// Collect reads the figures; a failed read shows as a scrape error.
func (o *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := o.store.OpsStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(o.outboxPending, err)
		return
	}
	age := 0.0
	if !st.OutboxOldest.IsZero() {
		age = time.Since(st.OutboxOldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(o.outboxPending, prometheus.GaugeValue, float64(st.OutboxPending))
	ch <- prometheus.MustNewConstMetric(o.outboxOldestAge, prometheus.GaugeValue, age)
	for state, n := range st.Jobs {
		ch <- prometheus.MustNewConstMetric(o.jobs, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(o.bytesDone, prometheus.GaugeValue, float64(st.RunningBytesDone))
	ch <- prometheus.MustNewConstMetric(o.bytesTotal, prometheus.GaugeValue, float64(st.RunningBytesTotal))
	ch <- prometheus.MustNewConstMetric(o.records, prometheus.GaugeValue, float64(st.RunningRecords))
	ch <- prometheus.MustNewConstMetric(o.syncDone, prometheus.GaugeValue, float64(st.SyncRangesDone))
	ch <- prometheus.MustNewConstMetric(o.syncTotal, prometheus.GaugeValue, float64(st.SyncRangesTotal))
}
