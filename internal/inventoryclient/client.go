// Package inventoryclient is the order worker's client of the inventory service's stock door
// (/api/v1/reservations): the saga's first attempt at reserve and commit runs as a local activity
// through it, and falls back to the inventory worker's activities when it fails. It implements the
// activities' StockKeeper port (cmd/ and a test check the fit) and turns the service's problems back
// into the errors the use case itself returns, so the activities treat both doors alike.
//
// Calls have a timeout and go through a circuit breaker (sony/gobreaker, as the payments client):
// while the inventory API is down or refuses the token, attempts fail at once and the saga falls back
// without waiting; the breaker probes again after its timeout.
package inventoryclient

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

	"github.com/order-saga/shop/internal/telemetry"
	"github.com/order-saga/shop/inventory"
)

// reservationsPath is the inventory's stock door (api/inventoryapi.ReservationsPath; the integration
// test runs this client against those handlers).
const reservationsPath = "/api/v1/reservations/"

// maxAnswerBytes bounds what the client reads of an answer: a reservation of 100 lines is a few KB.
const maxAnswerBytes = 1 << 20

// Client calls the inventory's stock door.
type Client struct {
	base    string
	token   string
	http    *http.Client
	breaker *gobreaker.CircuitBreaker[inventory.Reservation]
}

// New returns a client of the inventory service at base (for example http://127.0.0.1:3000) that
// sends token (STOCK_API_TOKEN) as a bearer token. Each call is a client span of the caller's trace
// named by its route template, and carries the trace in its traceparent header.
func New(base string, token string, timeout time.Duration, log *slog.Logger) *Client {
	return &Client{
		base:  base,
		token: token,
		http:  &http.Client{Timeout: timeout, Transport: telemetry.HTTPClient(nil, telemetry.ContextRoute)},
		breaker: gobreaker.NewCircuitBreaker[inventory.Reservation](gobreaker.Settings{
			Name:        "inventory-stock-api",
			MaxRequests: 1,
			Interval:    30 * time.Second,
			Timeout:     5 * time.Second,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 5 },
			// A refusal by the use case (a problem it answered on purpose) means the service is up.
			IsSuccessful: func(err error) bool {
				var r *refusal
				return err == nil || errors.As(err, &r)
			},
			OnStateChange: func(name string, from, to gobreaker.State) {
				log.Warn("circuit breaker changed state", "breaker", name, "from", from.String(), "to", to.String())
			},
		}),
	}
}

// reserveRequest is the body of a reserve.
type reserveRequest struct {
	Lines []lineRequest `json:"lines"`
}

type lineRequest struct {
	ProductCode string `json:"productCode"`
	Quantity    int64  `json:"quantity"`
}

// Reserve implements activities.StockKeeper: PUT /api/v1/reservations/{orderId}.
func (c *Client) Reserve(ctx context.Context, orderID string, lines []inventory.LineRequest) (inventory.Reservation, error) {
	req := reserveRequest{Lines: make([]lineRequest, len(lines))} // never null: the service says what is missing
	for i, l := range lines {
		req.Lines[i] = lineRequest{ProductCode: l.ProductCode, Quantity: l.Quantity}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return inventory.Reservation{}, fmt.Errorf("inventory reserve %s: %w", orderID, err)
	}
	return c.call(ctx, "reserve", http.MethodPut, "/api/v1/reservations/{orderId}", reservationsPath+url.PathEscape(orderID), orderID, body)
}

// Commit implements activities.StockKeeper: POST /api/v1/reservations/{orderId}/commit.
func (c *Client) Commit(ctx context.Context, orderID string) (inventory.Reservation, error) {
	return c.call(ctx, "commit", http.MethodPost, "/api/v1/reservations/{orderId}/commit", reservationsPath+url.PathEscape(orderID)+"/commit", orderID, nil)
}

// Release implements activities.StockKeeper: POST /api/v1/reservations/{orderId}/release.
func (c *Client) Release(ctx context.Context, orderID string) (inventory.Reservation, error) {
	return c.call(ctx, "release", http.MethodPost, "/api/v1/reservations/{orderId}/release", reservationsPath+url.PathEscape(orderID)+"/release", orderID, nil)
}

// call sends one request through the breaker and reads its answer. op and orderID prefix every error.
func (c *Client) call(ctx context.Context, op, method, route, path, orderID string, body []byte) (inventory.Reservation, error) {
	res, err := c.breaker.Execute(func() (inventory.Reservation, error) {
		var reader io.Reader
		if body != nil {
			reader = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(telemetry.WithRoute(ctx, route), method, c.base+path, reader)
		if err != nil {
			return inventory.Reservation{}, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return inventory.Reservation{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		if err != nil {
			return inventory.Reservation{}, fmt.Errorf("read answer %d: %w", resp.StatusCode, err)
		}
		if resp.StatusCode != http.StatusOK {
			return inventory.Reservation{}, answerError(resp, b)
		}
		return decodeReservation(b)
	})
	if err != nil {
		return inventory.Reservation{}, fmt.Errorf("inventory %s %s: %w", op, orderID, err)
	}
	return res, nil
}
