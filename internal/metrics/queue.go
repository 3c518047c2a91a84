package metrics

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueCollector reports the asynq queues' sizes, retries and totals at
// each scrape, read from Redis with an asynq.Inspector. Its series are
// those of asynq's own collector (github.com/hibiken/asynq/x/metrics), so
// dashboards made for it work; that module is not available to this build,
// so this is a copy of its behaviour over the same Inspector API.
type QueueCollector struct {
	insp *asynq.Inspector

	enqueued, size, latency, memory, processed, failed, paused, up *prometheus.Desc
}

// NewQueueCollector returns a collector reading through insp.
func NewQueueCollector(insp *asynq.Inspector) *QueueCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName("asynq", "", name), help, labels, nil)
	}
	return &QueueCollector{insp: insp,
		enqueued:  d("tasks_enqueued_total", "Tasks in a queue by state (pending, active, scheduled, retry, archived, completed, aggregating).", "queue", "state"),
		size:      d("queue_size", "Tasks in a queue, every state.", "queue"),
		latency:   d("queue_latency_seconds", "Age of the oldest pending task of a queue.", "queue"),
		memory:    d("queue_memory_usage_approx_bytes", "Approximate Redis memory a queue uses.", "queue"),
		processed: d("tasks_processed_total", "Tasks processed (succeeded or failed) since the queue was created.", "queue"),
		failed:    d("tasks_failed_total", "Task attempts that failed since the queue was created.", "queue"),
		paused:    d("queue_paused_total", "1 when a queue is paused.", "queue"),
		up:        d("inspector_up", "1 when the queues could be read from Redis at this scrape."),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.enqueued, c.size, c.latency, c.memory, c.processed, c.failed, c.paused, c.up} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. When Redis cannot be read, only
// asynq_inspector_up 0 is reported.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	qs, err := c.insp.Queues()
	var infos []*asynq.QueueInfo
	for _, q := range qs {
		if err != nil {
			break
		}
		var info *asynq.QueueInfo
		if info, err = c.insp.GetQueueInfo(q); err == nil {
			infos = append(infos, info)
		}
	}
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, i := range infos {
		for state, n := range map[string]int{"pending": i.Pending, "active": i.Active, "scheduled": i.Scheduled, "retry": i.Retry,
			"archived": i.Archived, "completed": i.Completed, "aggregating": i.Aggregating} {
			gauge(c.enqueued, float64(n), i.Queue, state)
		}
		gauge(c.size, float64(i.Size), i.Queue)
		gauge(c.latency, i.Latency.Seconds(), i.Queue)
		gauge(c.memory, float64(i.MemoryUsage), i.Queue)
		ch <- prometheus.MustNewConstMetric(c.processed, prometheus.CounterValue, float64(i.ProcessedTotal), i.Queue)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(i.FailedTotal), i.Queue)
		paused := 0.0
		if i.Paused {
			paused = 1
		}
		gauge(c.paused, paused, i.Queue)
	}
}

// WatchQueues registers a QueueCollector reading through insp, once: a
// second call (a second worker in one process) keeps the first.
func (m *Metrics) WatchQueues(insp *asynq.Inspector) {
	if m == nil {
		return
	}
	_ = m.Registry.Register(NewQueueCollector(insp))
}
