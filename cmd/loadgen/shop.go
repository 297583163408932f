package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// shopClient talks to the running system's REST APIs.
type shopClient struct {
	http      *http.Client
	inventory string // base URL of the inventory service
	orders    string // base URL of the order service
}

func newShopClient(inventory, orders string) *shopClient {
	// Open loop: as many connections as requests in flight, none waiting for a free one.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 4096, 4096
	return &shopClient{http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}, inventory: inventory, orders: orders}
}

// orderAnswer is the part of an order (or of an order problem) the generator reads. An order's status
// is a string; a problem's "status" is its HTTP status, and its type names the order's status.
type orderAnswer struct {
	ID        string          `json:"id"`
	OrderID   string          `json:"orderId"` // problems name the order here
	RawStatus json.RawMessage `json:"status"`
	Type      string          `json:"type"`
	Status    string          `json:"-"`
}

// problemStatuses are the order statuses of the problems a placement is refused with.
var problemStatuses = map[string]string{"payment-failed": "FAILED", "order-rejected": "REJECTED",
	"order-cancelled": "CANCELLED", "order-unpriceable": "REJECTED"}

// readStatus fills Status from an order's status or a problem's type.
func (a *orderAnswer) readStatus() {
	if err := json.Unmarshal(a.RawStatus, &a.Status); err == nil {
		return
	}
	a.Status = problemStatuses[a.Type[strings.LastIndexByte(a.Type, '/')+1:]]
}

func (a orderAnswer) id() string {
	if a.ID != "" {
		return a.ID
	}
	return a.OrderID
}

// product is the part of a product the correctness check reads.
type product struct {
	Quantity  int64 `json:"quantity"` // on hand
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
}

func (c *shopClient) do(ctx context.Context, method, u string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read answer: %w", method, u, err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: status %d: decode %q: %w", method, u, resp.StatusCode, truncate(b), err)
		}
	}
	return resp.StatusCode, nil
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

func (c *shopClient) createProduct(ctx context.Context, code string, quantity int64) error {
	body := map[string]any{"productCode": code, "name": "Load " + code, "description": "created by cmd/loadgen",
		"quantity": quantity, "price": 9.99}
	status, err := c.do(ctx, http.MethodPost, c.inventory+"/api/v1/inventory", body, nil)
	if err == nil && status != http.StatusCreated {
		err = fmt.Errorf("create product %s: status %d", code, status)
	}
	return err
}

func (c *shopClient) product(ctx context.Context, code string) (product, error) {
	var p product
	status, err := c.do(ctx, http.MethodGet, c.inventory+"/api/v1/inventory/"+url.PathEscape(code), nil, &p)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("get product %s: status %d", code, status)
	}
	return p, err
}

func (c *shopClient) placeOrder(ctx context.Context, code string, qty int, token string) (int, orderAnswer, error) {
	body := map[string]any{"customerId": "loadgen", "items": []map[string]any{{"productCode": code, "quantity": qty}}}
	if token != "" {
		body["paymentToken"] = token
	}
	var a orderAnswer
	status, err := c.do(ctx, http.MethodPost, c.orders+"/api/v1/orders", body, &a)
	a.readStatus()
	return status, a, err
}

func (c *shopClient) order(ctx context.Context, id string) (orderAnswer, error) {
	var a orderAnswer
	status, err := c.do(ctx, http.MethodGet, c.orders+"/api/v1/orders/"+url.PathEscape(id), nil, &a)
	a.readStatus()
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("get order %s: status %d", id, status)
	}
	return a, err
}

func (c *shopClient) cancelOrder(ctx context.Context, id string) (orderAnswer, error) {
	var a orderAnswer
	status, err := c.do(ctx, http.MethodPost, c.orders+"/api/v1/orders/"+url.PathEscape(id)+"/cancel",
		map[string]any{"reason": "loadgen: cancelled after confirmation"}, &a)
	a.readStatus()
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("cancel order %s: status %d", id, status)
	}
	return a, err
}
