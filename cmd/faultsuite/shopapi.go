package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"
)

// shopAPI talks to the services over their public HTTP APIs, as a customer or an operator would.
// With several replicas of a service it spreads the requests over them as a round-robin balancer
// without health checks would: each request to the next one, so a retry after a replica went away
// goes to another.
type shopAPI struct {
	inventories, orders *endpoints
	adminToken          string
	http                *http.Client
}

func newShopAPI(inventory, orders []string, adminToken string, client *http.Client) shopAPI {
	return shopAPI{inventories: newEndpoints(inventory), orders: newEndpoints(orders), adminToken: adminToken, http: client}
}

// endpoints are the base URLs of a service's replicas, taken in turn.
type endpoints struct {
	urls []string
	next atomic.Uint64
}

func newEndpoints(urls []string) *endpoints { return &endpoints{urls: slices.Clone(urls)} }

// pick returns the base URL the next request goes to.
func (e *endpoints) pick() string {
	n := e.next.Add(1) - 1
	return e.urls[n%uint64(len(e.urls))]
}

// response is one answered request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (a shopAPI) do(ctx context.Context, method, rawURL string, body any, header map[string]string) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, fmt.Errorf("encode %s %s: %w", method, rawURL, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return response{}, fmt.Errorf("read %s %s: %w", method, rawURL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// productSpec is a product the suite creates, with its initial stock.
type productSpec struct {
	Code     string `json:"productCode"`
	Name     string `json:"name"`
	Desc     string `json:"description"`
	Quantity int64  `json:"quantity"`
	Price    string `json:"price"`
}

func (a shopAPI) createProduct(ctx context.Context, p productSpec) error {
	body := map[string]any{"productCode": p.Code, "name": p.Name, "description": p.Desc, "quantity": p.Quantity, "price": json.Number(p.Price)}
	r, err := a.do(ctx, http.MethodPost, a.inventories.pick()+"/api/v1/inventory", body, nil)
	if err != nil {
		return fmt.Errorf("create product %s: %w", p.Code, err)
	}
	if r.status != http.StatusCreated {
		return fmt.Errorf("create product %s: %d %s", p.Code, r.status, r.body)
	}
	return nil
}

// stockLevel is a product's figures as the inventory API shows them.
type stockLevel struct {
	Quantity  int64 `json:"quantity"`
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
}

func (a shopAPI) stock(ctx context.Context, code string) (stockLevel, error) {
	r, err := a.do(ctx, http.MethodGet, a.inventories.pick()+"/api/v1/inventory/"+url.PathEscape(code), nil, nil)
	if err != nil {
		return stockLevel{}, fmt.Errorf("stock of %s: %w", code, err)
	}
	if r.status != http.StatusOK {
		return stockLevel{}, fmt.Errorf("stock of %s: %d %s", code, r.status, r.body)
	}
	var s stockLevel
	if err := json.Unmarshal(r.body, &s); err != nil {
		return stockLevel{}, fmt.Errorf("stock of %s: %w", code, err)
	}
	return s, nil
}

// orderLine is one line of an order, as sent and as read back.
type orderLine struct {
	ProductCode string `json:"productCode"`
	Quantity    int64  `json:"quantity"`
}

// orderView is the part of an order the suite reads.
type orderView struct {
	ID         string      `json:"id"`
	CustomerID string      `json:"customerId"`
	Status     string      `json:"status"`
	Reason     string      `json:"reason"`
	Items      []orderLine `json:"items"`
}

// getOrder reads an order; found is false on 404.
func (a shopAPI) getOrder(ctx context.Context, id string) (o orderView, found bool, err error) {
	r, err := a.do(ctx, http.MethodGet, a.orders.pick()+"/api/v1/orders/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return orderView{}, false, err
	}
	switch r.status {
	case http.StatusOK:
		if err := json.Unmarshal(r.body, &o); err != nil {
			return orderView{}, false, fmt.Errorf("order %s: %w", id, err)
		}
		return o, true, nil
	case http.StatusNotFound:
		return orderView{}, false, nil
	default:
		return orderView{}, false, fmt.Errorf("order %s: %d %s", id, r.status, r.body)
	}
}

// listOrders reads every stored order, page by page.
func (a shopAPI) listOrders(ctx context.Context) ([]orderView, error) {
	var all []orderView
	cursor := ""
	for {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r, err := a.do(ctx, http.MethodGet, a.orders.pick()+"/api/v1/orders?"+q.Encode(), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		if r.status != http.StatusOK {
			return nil, fmt.Errorf("list orders: %d %s", r.status, r.body)
		}
		var page []orderView
		if err := json.Unmarshal(r.body, &page); err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		all = append(all, page...)
		cursor = r.header.Get("X-Next-Cursor")
		if cursor == "" || len(page) == 0 {
			return all, nil
		}
	}
}

// retryParked is an operator's "retry" on a parked order, through the admin API.
func (a shopAPI) retryParked(ctx context.Context, id string) error {
	r, err := a.do(ctx, http.MethodPost, a.orders.pick()+"/api/v1/admin/orders/"+url.PathEscape(id)+"/retry", nil,
		map[string]string{"Authorization": "Bearer " + a.adminToken, "X-Operator": "fault-suite"})
	if err != nil {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("retry %s: %d %s", id, r.status, r.body)
	}
	return nil
}

func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}
}

// movement is one ledger entry of a product, with the figures it left behind.
type movement struct {
	Seq      int64  `json:"seq"`
	Kind     string `json:"kind"`
	Quantity int64  `json:"quantity"`
	OrderID  string `json:"orderId"`
	OnHand   int64  `json:"onHand"`
	Reserved int64  `json:"reserved"`
}

// movements reads a product's whole ledger, page by page (the API gives it newest first).
func (a shopAPI) movements(ctx context.Context, code string) ([]movement, error) {
	var all []movement
	before := ""
	for {
		q := url.Values{"limit": {"100"}}
		if before != "" {
			q.Set("before", before)
		}
		r, err := a.do(ctx, http.MethodGet, a.inventories.pick()+"/api/v1/inventory/"+url.PathEscape(code)+"/movements?"+q.Encode(), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("movements of %s: %w", code, err)
		}
		if r.status != http.StatusOK {
			return nil, fmt.Errorf("movements of %s: %d %s", code, r.status, r.body)
		}
		var page []movement
		if err := json.Unmarshal(r.body, &page); err != nil {
			return nil, fmt.Errorf("movements of %s: %w", code, err)
		}
		all = append(all, page...)
		before = r.header.Get("X-Next-Before")
		if before == "" || len(page) == 0 {
			return all, nil
		}
	}
}
