//go:build integration

package workers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/grpc"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workers"
)

// TestWorkerReportsItsFatalError runs a real worker against the stack's Temporal server through a
// connection whose task polls are answered "namespace not found" (as after the namespace was deleted);
// the SDK gives up after its grace period (2 minutes) and the worker reports the error on Fatal,
// which is what makes the service exit (see serve in cmd/shop).
func TestWorkerReportsItsFatalError(t *testing.T) {
	cfg := testenv.Config(t)
	refusePolls := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if strings.Contains(method, "/Poll") {
			// As the server sends it: a gRPC status with details, which the SDK turns back into the type.
			return serviceerror.ToStatus(serviceerror.NewNamespaceNotFound(cfg.TemporalNamespace)).Err()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	c, err := client.Dial(client.Options{
		HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: tlog.NewStructuredLogger(testenv.Logger()),
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(refusePolls)}},
	})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := workers.NewWithOptions(c, testenv.UniqueName(t, "fatal"), nil)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	select {
	case err := <-workers.Fatal(w):
		var notFound *serviceerror.NamespaceNotFound
		require.ErrorAs(t, err, &notFound)
	case <-time.After(5 * time.Minute): // a bound on a hang: the SDK's grace period is 2 minutes
		t.Fatal("the worker never reported its fatal error")
	}
}
