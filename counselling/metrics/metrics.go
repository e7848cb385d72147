// Package metrics gives operators Prometheus metrics about the office: requests
// by route pattern and status, queue lengths, the outbox backlog, live
// connections, purge results and the Go runtime. Nothing in it names a person:
// every label value is one of a fixed set (a registered route pattern, a
// method, a status code, a purge rule, a delivery channel), never an id, a
// nickname, an address or a raw URL. It is served only on its own listener,
// never on the office's public address.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"confidant/counselling"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source reports the office's backlogs when metrics are scraped.
type Source interface {
	Backlog(ctx context.Context) (counselling.Backlog, error)
}

// Metrics holds the office's own registry; nothing is registered globally.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	purged       *prometheus.CounterVec
	purgeRuns    *prometheus.CounterVec
	purgeLastRun prometheus.Gauge
	connections  prometheus.GaugeFunc
}

// New registers the office's metrics. connections reports how many live
// connections (chat, queue and call sockets) are open; source is read at
// every scrape.
func New(source Source, connections func() int64, log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confidant_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "confidant_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})
	m.purged = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confidant_purge_deleted_total",
		Help: "Rows deleted by the retention purge, by rule.",
	}, []string{"rule"})
	m.purgeRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "confidant_purge_runs_total",
		Help: "Purge runs, by result (ok or failed).",
	}, []string{"result"})
	m.purgeLastRun = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "confidant_purge_last_success_timestamp_seconds",
		Help: "When the nightly purge last finished without error (Unix time).",
	})
	m.connections = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "confidant_live_connections",
		Help: "Open live connections: chat, live queue and call sockets.",
	}, func() float64 { return float64(connections()) })
	m.reg.MustRegister(m.requests, m.duration, m.purged, m.purgeRuns, m.purgeLastRun, m.connections,
		backlogCollector{source: source, log: log},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// Unmatched is the route label of a request that matched no route, so that a
// made-up path never becomes a label.
const Unmatched = "-"

// ObserveRequest counts one answered request. route must be a registered
// route pattern or Unmatched: the web layer checks it against its routes.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		method = "other"
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(d.Seconds())
}

// PurgeDone records the counts of one finished purge run.
func (m *Metrics) PurgeDone(counts []counselling.PurgeCount, at time.Time) {
	for _, c := range counts {
		m.purged.WithLabelValues(c.Rule).Add(float64(c.Count))
	}
	m.purgeRuns.WithLabelValues("ok").Inc()
	m.purgeLastRun.Set(float64(at.Unix()))
}

// SessionsPurged records the expired sessions the frequent sweep deleted.
func (m *Metrics) SessionsPurged(n int64) {
	m.purged.WithLabelValues(counselling.RuleSessions).Add(float64(n))
}

// PurgeFailed records a purge run that stopped with an error.
func (m *Metrics) PurgeFailed() {
	m.purgeRuns.WithLabelValues("failed").Inc()
}

var (
	mailQueueDesc = prometheus.NewDesc("confidant_mail_queue_threads",
		"Enquiries by mail waiting for a counsellor to take them, all offices together.", nil, nil)
	liveQueueDesc = prometheus.NewDesc("confidant_live_queue_chats",
		"Live chats waiting to be accepted, all offices together.", nil, nil)
	outboxDesc = prometheus.NewDesc("confidant_outbox_backlog",
		"Notifications not yet delivered and not given up, by channel (mail or push).", []string{"channel"}, nil)
	outboxGivenUpDesc = prometheus.NewDesc("confidant_outbox_given_up",
		"Notifications given up after retrying and not yet purged, by channel (mail or push).", []string{"channel"}, nil)
	scrapeErrorDesc = prometheus.NewDesc("confidant_backlog_scrape_error",
		"1 when the backlog could not be read at this scrape.", nil, nil)
)

// backlogCollector reads the backlogs from the database at each scrape, so
// that the figures are never stale and nothing is counted twice.
type backlogCollector struct {
	source Source
	log    *slog.Logger
}

func (b backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- mailQueueDesc
	ch <- liveQueueDesc
	ch <- outboxDesc
	ch <- outboxGivenUpDesc
	ch <- scrapeErrorDesc
}

func (b backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bl, err := b.source.Backlog(ctx)
	if err != nil {
		b.log.Error("metrics backlog", "error", err.Error())
		ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, 0)
	ch <- prometheus.MustNewConstMetric(mailQueueDesc, prometheus.GaugeValue, float64(bl.MailQueue))
	ch <- prometheus.MustNewConstMetric(liveQueueDesc, prometheus.GaugeValue, float64(bl.LiveQueue))
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(bl.OutboxMail), "mail")
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(bl.OutboxPush), "push")
	ch <- prometheus.MustNewConstMetric(outboxGivenUpDesc, prometheus.GaugeValue, float64(bl.GivenUpMail), "mail")
	ch <- prometheus.MustNewConstMetric(outboxGivenUpDesc, prometheus.GaugeValue, float64(bl.GivenUpPush), "push")
}
