// Package paymentsclient is the order service's client of the payment provider (the payment sandbox's
// HTTP API). It implements the saga's PaymentGateway port (cmd/ plugs it in, which is where the
// compiler checks the fit) with a timeout per call and a circuit breaker
// (sony/gobreaker): while the provider is down, calls fail at once instead of piling up, and the
// saga's retries probe it again after the breaker's timeout.
package paymentsclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/telemetry"
)

// payment is the provider's answer on the wire (the sandbox's PaymentJSON, declared here so the client
// owns its side of the contract); of it the client needs only the id.
type payment struct {
	ID string `json:"id"`
}

// Client calls the payment provider.
type Client struct {
	base    string
	http    *http.Client
	breaker *gobreaker.CircuitBreaker[*payment]
}

// errRefused marks an answer the provider gave on purpose (4xx): the provider is up, so the breaker
// counts it as a success.
var errRefused = errors.New("refused by the payment provider")

// New returns a client of the provider at base (for example http://127.0.0.1:3004). Each call is a
// client span of the caller's trace (an activity's), and carries it in its traceparent header.
func New(base string, timeout time.Duration, log *slog.Logger) *Client {
	return &Client{
		base: base,
		http: &http.Client{Timeout: timeout, Transport: telemetry.HTTPClient(nil, telemetry.ContextRoute)},
		breaker: gobreaker.NewCircuitBreaker[*payment](gobreaker.Settings{
			Name:        "payment-provider",
			MaxRequests: 1,
			Interval:    30 * time.Second,
			Timeout:     5 * time.Second,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 5 },
			IsSuccessful: func(err error) bool {
				return err == nil || errors.Is(err, errRefused)
			},
			OnStateChange: func(name string, from, to gobreaker.State) {
				log.Warn("circuit breaker changed state", "breaker", name, "from", from.String(), "to", to.String())
			},
		}),
	}
}

// Authorize implements the PaymentGateway port.
func (c *Client) Authorize(ctx context.Context, key, orderID, token string, amount domain.Money) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"orderId": orderID, "token": token, "amount": json.Number(amount.String()), "currency": amount.Currency,
	})
	p, err := c.call(telemetry.WithRoute(ctx, "/v1/payments/authorize"), http.MethodPost, "/v1/payments/authorize", key, body)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// Capture implements the PaymentGateway port.
func (c *Client) Capture(ctx context.Context, key, orderID string) error {
	_, err := c.call(telemetry.WithRoute(ctx, "/v1/payments/{orderId}/capture"), http.MethodPost, "/v1/payments/"+url.PathEscape(orderID)+"/capture", key, nil)
	return err
}

// Void implements the PaymentGateway port.
func (c *Client) Void(ctx context.Context, key, orderID string) error {
	_, err := c.call(telemetry.WithRoute(ctx, "/v1/payments/{orderId}/void"), http.MethodPost, "/v1/payments/"+url.PathEscape(orderID)+"/void", key, nil)
	return err
}

// Refund implements the PaymentGateway port.
func (c *Client) Refund(ctx context.Context, key, orderID string) error {
	_, err := c.call(telemetry.WithRoute(ctx, "/v1/payments/{orderId}/refund"), http.MethodPost, "/v1/payments/"+url.PathEscape(orderID)+"/refund", key, nil)
	return err
}

// Ping reports whether the provider answers, for readiness.
func (c *Client) Ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("payment provider: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("payment provider: health %d", resp.StatusCode)
	}
	return nil
}

func (c *Client) call(ctx context.Context, method, path, key string, body []byte) (*payment, error) {
	p, err := c.breaker.Execute(func() (*payment, error) {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		switch {
		case resp.StatusCode == http.StatusPaymentRequired:
			return nil, fmt.Errorf("%w: %s: %w", errRefused, detail(b), domain.ErrPaymentDeclined)
		case resp.StatusCode == http.StatusConflict:
			return nil, fmt.Errorf("%w: %s: %w", errRefused, detail(b), domain.ErrConflict)
		case resp.StatusCode == http.StatusNotFound:
			return nil, fmt.Errorf("%w: %s: %w", errRefused, detail(b), domain.ErrNotFound)
		case resp.StatusCode >= 400 && resp.StatusCode < 500:
			return nil, fmt.Errorf("%w: %d %s: %w", errRefused, resp.StatusCode, detail(b), domain.ErrInvalid)
		case resp.StatusCode >= 300:
			return nil, fmt.Errorf("payment provider answered %d: %s", resp.StatusCode, detail(b))
		}
		var out payment
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("payment provider answer: %w", err)
		}
		return &out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("payment %s %s: %w", method, path, err)
	}
	return p, nil
}

func detail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return string(bytes.TrimSpace(body))
}
