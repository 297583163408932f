// Package temporal is the order service's Temporal adapter: it dials the frontend with the process's
// slog logger, starts and steers order sagas (Sagas, orders.Sagas) and overlays running sagas' live
// steps on stored orders (Compensations, orders.Progress).
package temporal

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"

	"github.com/order-saga/shop/orders"
)

// Dial connects to Temporal, retrying with backoff until ctx ends, so a service started together with
// the dev server waits for it instead of crashing. The client carries the OpenTelemetry tracing
// interceptor (TracingInterceptor), and so does every worker built on it.
func Dial(ctx context.Context, address, namespace string, logger *slog.Logger) (client.Client, error) {
	tracing, err := TracingInterceptor()
	if err != nil {
		return nil, err
	}
	opts := client.Options{
		HostPort:     address,
		Namespace:    namespace,
		Logger:       tlog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		Interceptors: []interceptor.ClientInterceptor{tracing},
	}
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = 200 * time.Millisecond
	eb.MaxInterval = 3 * time.Second
	c, err := backoff.Retry(ctx, func() (client.Client, error) {
		return client.DialContext(ctx, opts)
	}, backoff.WithBackOff(eb), backoff.WithMaxElapsedTime(0))
	if err != nil {
		return nil, fmt.Errorf("temporal dial %s namespace %s: %w", address, namespace, err)
	}
	return c, nil
}

// Ping asks the frontend for its health; readiness probes call it.
func Ping(ctx context.Context, c client.Client) error {
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal health: %w", err)
	}
	return nil
}

var _ orders.Progress = Progress{}
