// Package logship ships the services' structured logs to Elasticsearch, next to the JSON lines on
// stdout: one document per record in the daily index logs-ecommerce-YYYY.MM.DD.
//
// Logging must never wait for Elasticsearch, so a record is handed to a bounded buffer and shipped by
// one goroutine through the client's bulk indexer; when the buffer is full the record is dropped and
// counted (shop_log_records_dropped_total). The shipper reports its own trouble to a plain handler,
// never through itself, so a failing Elasticsearch cannot feed on its own log records.
package logship

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esutil"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Config.
const (
	DefaultBufferSize    = 10000
	DefaultFlushInterval = time.Second
)

const (
	// problemEvery rate-limits the shipper's reports about itself: one line a minute is enough to
	// see that shipping fails, and a flood would bury the service's own lines.
	problemEvery = time.Minute
	// templateTimeout bounds one attempt at installing the index template.
	templateTimeout = 10 * time.Second
	// retryFirst and retryMax bound the back-off between attempts at installing the template while
	// Elasticsearch does not answer.
	retryFirst = time.Second
	retryMax   = 30 * time.Second
)

// ErrClosed is returned by Flush once the shipper is closed.
var ErrClosed = errors.New("log shipper closed")

// Config says where and how to ship.
type Config struct {
	// Client is the Elasticsearch client (required).
	Client *elasticsearch.Client
	// Service names the process: the documents' service field and the metrics' service label (required).
	Service string
	// BufferSize bounds the records waiting to be shipped; the ones that do not fit are dropped.
	// Default DefaultBufferSize.
	BufferSize int
	// FlushInterval is the longest a record waits in the bulk indexer before it is sent.
	// Default DefaultFlushInterval.
	FlushInterval time.Duration
	// Registerer takes the metrics (shop_log_records_{dropped,shipped,failed}_total); nil: unregistered.
	Registerer prometheus.Registerer
	// Problems receives the shipper's own warnings (Elasticsearch unreachable, records refused or
	// dropped), at most one a minute. Give it the inner handler, never a shipping one. Default: JSON on
	// stderr.
	Problems slog.Handler
}

// Stats counts records since the shipper started.
type Stats struct {
	Shipped, Failed, Dropped uint64
}

// Shipper owns the buffer and the goroutine that ships it. Create it with New, wrap handlers with
// Handler, and Close it on shutdown.
type Shipper struct {
	es       *elasticsearch.Client
	service  string
	problems slog.Handler
	bulk     esutil.BulkIndexer

	entries chan entry
	flushes chan flushRequest

	closed    atomic.Bool // set first by Close: Handle stops enqueuing
	closeOnce sync.Once
	closeCtx  context.Context // written before quit is closed, read by run after
	quit      chan struct{}   // closed by Close
	done      chan struct{}   // closed when run has returned
	closeErr  error           // written by run before done is closed

	// runCtx is cancelled when Close gives up waiting, so that run does not block on a stuck indexer.
	runCtx    context.Context
	cancelRun context.CancelFunc

	// Counted twice: atomics for Stats and Flush, counters for Prometheus.
	shipped, failed, dropped    atomic.Uint64
	shippedC, failedC, droppedC prometheus.Counter
	// The bulk items' callbacks, made once rather than for every record.
	onSuccess                       func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem)
	onFailure                       func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem, error)
	lastProblem, suppressedProblems atomic.Int64
}

// entry is one encoded record on its way to its daily index.
type entry struct {
	index string
	body  []byte
}

type flushRequest struct {
	ctx  context.Context
	done chan error // buffered: run never waits for the caller
}

// New starts a shipper. It does not wait for Elasticsearch: a goroutine installs the index template
// (retrying with back-off while Elasticsearch does not answer; records wait in the buffer meanwhile,
// so that no daily index is ever created without the template) and then ships.
func New(cfg Config) (*Shipper, error) {
	if cfg.Client == nil {
		return nil, errors.New("logship: no Elasticsearch client")
	}
	if cfg.Service == "" {
		return nil, errors.New("logship: no service name")
	}
	if cfg.BufferSize <= 0 {
		cfg.BufferSize = DefaultBufferSize
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.Problems == nil {
		cfg.Problems = slog.NewJSONHandler(os.Stderr, nil)
	}
	s := &Shipper{
		es:       cfg.Client,
		service:  cfg.Service,
		problems: cfg.Problems.WithAttrs([]slog.Attr{slog.String("component", "logship")}),
		entries:  make(chan entry, cfg.BufferSize),
		flushes:  make(chan flushRequest),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.runCtx, s.cancelRun = context.WithCancel(context.Background())
	if err := s.registerMetrics(cfg.Registerer); err != nil {
		return nil, err
	}
	s.onSuccess = func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem) {
		s.shipped.Add(1)
		s.shippedC.Inc()
	}
	s.onFailure = func(_ context.Context, _ esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
		s.failed.Add(1)
		s.failedC.Inc()
		if err == nil { // refused by Elasticsearch (a request that failed as a whole went to OnError)
			s.problem("Elasticsearch refused a log record",
				fmt.Errorf("%s: %d %s: %s", res.Index, res.Status, res.Error.Type, res.Error.Reason))
		}
	}
	bulk, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client:              cfg.Client,
		NumWorkers:          1, // one bulk request at a time is plenty for logs, and keeps their order
		QueueSizeMultiplier: 256,
		FlushInterval:       cfg.FlushInterval,
		OnError:             func(_ context.Context, err error) { s.problem("shipping log records failed", err) },
	})
	if err != nil {
		return nil, fmt.Errorf("logship: bulk indexer: %w", err)
	}
	s.bulk = bulk
	go s.run()
	return s, nil
}

func (s *Shipper) registerMetrics(reg prometheus.Registerer) error {
	labels := prometheus.Labels{"service": s.service}
	counter := func(name, help string) (prometheus.Counter, error) {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels})
		if reg == nil {
			return c, nil
		}
		if err := reg.Register(c); err != nil {
			// A second shipper of the same service (a test, say) shares the first one's counter.
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("logship: register %s: %w", name, err)
			}
			return are.ExistingCollector.(prometheus.Counter), nil
		}
		return c, nil
	}
	var err error
	if s.droppedC, err = counter("shop_log_records_dropped_total",
		"Log records not shipped to Elasticsearch because the buffer was full or the shipper had closed."); err != nil {
		return err
	}
	if s.shippedC, err = counter("shop_log_records_shipped_total",
		"Log records Elasticsearch has stored."); err != nil {
		return err
	}
	s.failedC, err = counter("shop_log_records_failed_total",
		"Log records Elasticsearch refused or that could not be sent to it.")
	return err
}

// Stats returns the shipper's counts so far.
func (s *Shipper) Stats() Stats {
	return Stats{Shipped: s.shipped.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load()}
}

// accepting reports whether a record can be buffered, counting it as dropped if not; it lets Handle
// skip encoding a record that would be dropped anyway.
func (s *Shipper) accepting() bool {
	if s.closed.Load() || len(s.entries) == cap(s.entries) {
		s.drop()
		return false
	}
	return true
}

// enqueue buffers e without ever blocking: a full buffer drops it.
func (s *Shipper) enqueue(e entry) {
	select {
	case s.entries <- e:
	default:
		s.drop()
	}
}

func (s *Shipper) drop() {
	s.dropped.Add(1)
	s.droppedC.Inc()
	if !s.closed.Load() {
		s.problem("log buffer full: records are dropped, not shipped",
			errors.New("elasticsearch is slower than the logging, or does not answer"))
	}
}

// run is the shipping goroutine: it feeds the bulk indexer from the buffer until Close.
func (s *Shipper) run() {
	defer close(s.done)
	if err := s.ensureTemplate(); err != nil {
		_ = s.bulk.Close(context.Background()) // holds nothing yet
		if n := s.discardBuffered(); n > 0 {
			err = fmt.Errorf("%d log records not shipped: %w", n, err)
		}
		s.closeErr = fmt.Errorf("close log shipper: %w", err)
		return
	}
	for {
		select {
		case e := <-s.entries:
			s.add(e)
		case req := <-s.flushes:
			s.addBuffered()
			req.done <- s.bulk.Flush(req.ctx)
		case <-s.quit:
			s.addBuffered()
			err := s.bulk.Close(s.closeCtx)
			if n := s.discardBuffered(); n > 0 && err == nil { // logged while closing
				err = fmt.Errorf("%d log records arrived too late", n)
			}
			if err != nil {
				s.closeErr = fmt.Errorf("close log shipper: %w", err)
			}
			return
		}
	}
}

// ensureTemplate installs the index template, retrying with back-off until it succeeds or Close is
// called (then it tries once more, within Close's context).
func (s *Shipper) ensureTemplate() error {
	wait := retryFirst
	for {
		ctx, cancel := context.WithTimeout(s.runCtx, templateTimeout)
		err := InstallTemplate(ctx, s.es)
		cancel()
		if err == nil {
			return nil
		}
		s.problem("Elasticsearch not ready: log records wait in the buffer", err)
		timer := time.NewTimer(wait)
	waiting:
		for {
			select {
			case <-timer.C:
				break waiting
			case req := <-s.flushes:
				req.done <- fmt.Errorf("index template not installed yet: %w", err)
			case <-s.quit:
				timer.Stop()
				ctx, cancel := context.WithTimeout(s.closeCtx, templateTimeout)
				defer cancel()
				return InstallTemplate(ctx, s.es)
			}
		}
		wait = min(2*wait, retryMax)
	}
}

// add hands one record to the bulk indexer. Add blocks only while the indexer's own queue is full,
// which holds up this goroutine, never a caller of the logger.
func (s *Shipper) add(e entry) {
	err := s.bulk.Add(s.runCtx, esutil.BulkIndexerItem{
		Index:     e.index,
		Action:    "create",
		Body:      bytes.NewReader(e.body),
		OnSuccess: s.onSuccess,
		OnFailure: s.onFailure,
	})
	if err != nil {
		s.failed.Add(1)
		s.failedC.Inc()
	}
}

// addBuffered hands the indexer every record buffered so far, and no more: records logged meanwhile
// do not keep a flush or a close going forever.
func (s *Shipper) addBuffered() {
	for range len(s.entries) {
		s.add(<-s.entries)
	}
}

// discardBuffered empties the buffer of records that will never be shipped, counting them as dropped.
func (s *Shipper) discardBuffered() int {
	n := 0
	for {
		select {
		case <-s.entries:
			n++
			s.dropped.Add(1)
			s.droppedC.Inc()
		default:
			return n
		}
	}
}

// Flush ships every record buffered so far and waits until Elasticsearch has answered for them, or
// ctx ends. It reports records that failed meanwhile; a successful flush does not make them
// searchable before Elasticsearch's next refresh.
func (s *Shipper) Flush(ctx context.Context) error {
	failedBefore := s.failed.Load()
	req := flushRequest{ctx: ctx, done: make(chan error, 1)}
	select {
	case s.flushes <- req:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("flush log records: %w", ctx.Err())
	}
	select {
	case err := <-req.done:
		if err != nil {
			return fmt.Errorf("flush log records: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("flush log records: %w", ctx.Err())
	}
	if n := s.failed.Load() - failedBefore; n > 0 {
		return fmt.Errorf("flush log records: %d failed", n)
	}
	return nil
}

// Close stops shipping: records logged from now on go to the inner handler only. It ships what is
// buffered and waits for it until ctx ends; an error says that records were lost. Calling it again
// waits for the first call's outcome.
func (s *Shipper) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.closeCtx = ctx
		s.closed.Store(true)
		close(s.quit)
	})
	select {
	case <-s.done:
		return s.closeErr
	case <-ctx.Done():
		s.cancelRun()
		return fmt.Errorf("close log shipper: %w", ctx.Err())
	}
}

// problem reports the shipper's own trouble to the plain handler, at most once per problemEvery, with
// how many reports were held back since the last one.
func (s *Shipper) problem(msg string, err error) {
	now := time.Now()
	last := s.lastProblem.Load()
	if (last != 0 && now.Sub(time.Unix(0, last)) < problemEvery) || !s.lastProblem.CompareAndSwap(last, now.UnixNano()) {
		s.suppressedProblems.Add(1)
		return
	}
	ctx := context.Background()
	if !s.problems.Enabled(ctx, slog.LevelWarn) {
		return
	}
	r := slog.NewRecord(now, slog.LevelWarn, msg, 0)
	r.AddAttrs(slog.String("error", err.Error()), slog.Int64("suppressed", s.suppressedProblems.Swap(0)))
	_ = s.problems.Handle(ctx, r)
}
