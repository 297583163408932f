// Package inventoryapi is the inventory service's HTTP API under /api/v1/inventory, compatible with
// the routes and field names of the NestJS service it replaces.
package inventoryapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Service is what the handlers need of the inventory use cases.
type Service interface {
	CreateProduct(ctx context.Context, np inventory.NewProduct) (inventory.ProductView, error)
	GetProduct(ctx context.Context, code string) (inventory.ProductView, error)
	ListProducts(ctx context.Context, q inventory.ListQuery) ([]inventory.ProductView, error)
	UpdateProduct(ctx context.Context, code string, patch inventory.ProductPatch) (inventory.ProductView, error)
	SetStock(ctx context.Context, code string, quantity int64) (inventory.ProductView, error)
	Movements(ctx context.Context, code string, beforeSeq int64, limit int) ([]domain.Movement, error)
}

// BasePath is where the inventory routes live.
const BasePath = "/api/v1/inventory"

type handler struct {
	svc    Service
	search inventory.Searcher
	log    *slog.Logger
}

// Mount adds the inventory routes and the API docs to r. search answers list requests with a text or
// a filter (Elasticsearch, or the service's own store-backed search); a plain listing reads the store.
func Mount(r chi.Router, svc Service, search inventory.Searcher, log *slog.Logger) {
	h := handler{svc: svc, search: search, log: log}
	r.Route(BasePath, func(r chi.Router) {
		r.Post("/", h.create)
		r.Get("/", h.list)
		r.Get("/{productCode}", h.get)
		r.Patch("/{productCode}", h.patch)
		r.Put("/{productCode}/stock", h.setStock)
		r.Get("/{productCode}/movements", h.movements)
	})
	api.MountDocs(r, openAPISpec)
}

// productJSON is a product as the API shows it; quantity is the on-hand stock, as in the original.
type productJSON struct {
	ProductCode       string      `json:"productCode"`
	Name              string      `json:"name"`
	Description       string      `json:"description"`
	Price             json.Number `json:"price"`
	Currency          string      `json:"currency"`
	Quantity          int64       `json:"quantity"`
	Reserved          int64       `json:"reserved"`
	Available         int64       `json:"available"`
	LowStockThreshold int64       `json:"lowStockThreshold"`
	CreatedAt         time.Time   `json:"createdAt"`
	UpdatedAt         time.Time   `json:"updatedAt"`
}

func toJSON(v inventory.ProductView) productJSON {
	return productJSON{
		ProductCode: v.Code, Name: v.Name, Description: v.Description,
		Price: json.Number(v.Price.String()), Currency: v.Price.Currency,
		Quantity: v.Stock.OnHand, Reserved: v.Stock.Reserved, Available: v.Stock.Available(),
		LowStockThreshold: v.LowStockThreshold, CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(),
	}
}

type createRequest struct {
	ProductCode       *string     `json:"productCode"`
	Name              *string     `json:"name"`
	Description       *string     `json:"description"`
	Quantity          *api.Number `json:"quantity"`
	Price             *api.Number `json:"price"`
	Currency          *string     `json:"currency"`
	LowStockThreshold *api.Number `json:"lowStockThreshold"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var v domain.ValidationError
	np := inventory.NewProduct{LowStockThreshold: domain.DefaultLowStockMark}
	if req.ProductCode != nil {
		domain.ValidateProductCode(&v, "productCode", *req.ProductCode)
		np.Code = *req.ProductCode
	}
	np.Name = required(&v, "name", req.Name)
	if req.Description == nil {
		v.Add("description", "is required")
	} else {
		np.Description = *req.Description
	}
	np.Quantity = wholeNumber(&v, "quantity", req.Quantity)
	currency := domain.DefaultCurrency
	if req.Currency != nil {
		currency = *req.Currency
		if _, ok := domain.CurrencyDigits(currency); !ok {
			v.Add("currency", "must be a supported ISO 4217 code such as USD or EUR")
		}
	}
	if req.Price == nil {
		v.Add("price", "is required")
	} else if _, ok := domain.CurrencyDigits(currency); ok {
		price, err := domain.ParseMoney(string(*req.Price), currency)
		if err != nil {
			v.Add("price", "%s", err.Error())
		}
		np.Price = price
	}
	if req.LowStockThreshold != nil {
		np.LowStockThreshold = wholeNumber(&v, "lowStockThreshold", req.LowStockThreshold)
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	view, err := h.svc.CreateProduct(r.Context(), np)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	w.Header().Set("Location", BasePath+"/"+url.PathEscape(view.Code))
	api.WriteJSON(w, http.StatusCreated, toJSON(view))
}

func (h handler) get(w http.ResponseWriter, r *http.Request) {
	view, err := h.svc.GetProduct(r.Context(), chi.URLParam(r, "productCode"))
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(view))
}

// list answers a page as a bare array, as the original did; the next page is in the Link header
// (rel="next") and in X-Next-Cursor.
func (h handler) list(w http.ResponseWriter, r *http.Request) {
	var v domain.ValidationError
	q := r.URL.Query()
	sq := inventory.SearchQuery{
		Limit: api.PageLimit(&v, q), After: api.PageCursor(&v, q), Text: q.Get("q"),
		MinPrice: q.Get("minPrice"), MaxPrice: q.Get("maxPrice"),
	}
	if utf8.RuneCountInString(sq.Text) > 200 { // characters, as the spec's maxLength counts
		v.Add("q", "must be at most 200 characters")
	}
	for _, bound := range []struct{ field, value string }{{"minPrice", sq.MinPrice}, {"maxPrice", sq.MaxPrice}} {
		if bound.value != "" && !plainDecimal.MatchString(bound.value) { // in this order: a map would shuffle the errors
			v.Add(bound.field, "must be a plain non-negative decimal such as 10 or 9.99")
		}
	}
	switch s := q.Get("inStock"); {
	case !q.Has("inStock"), s == "false":
	case s == "true":
		sq.InStock = true
	default: // given but empty too, as the spec's boolean says
		v.Add("inStock", "must be true or false")
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var views []inventory.ProductView
	var err error
	if sq.Text == "" && sq.MinPrice == "" && sq.MaxPrice == "" && !sq.InStock {
		views, err = h.svc.ListProducts(r.Context(), inventory.ListQuery{After: sq.After, Limit: sq.Limit})
	} else {
		views, err = h.search.Search(r.Context(), sq)
	}
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	out := make([]productJSON, len(views))
	for i, pv := range views {
		out[i] = toJSON(pv)
	}
	if len(views) == sq.Limit {
		api.SetNextPage(w, r, "cursor", api.Cursor(views[len(views)-1].Code))
	}
	api.WriteJSON(w, http.StatusOK, out)
}

// plainDecimal is a price bound as a client writes it: digits, optionally a point and more digits.
var plainDecimal = regexp.MustCompile(`^[0-9]{1,13}(\.[0-9]{1,4})?$`)

type patchRequest struct {
	Name              *string     `json:"name"`
	Description       *string     `json:"description"`
	Price             *api.Number `json:"price"`
	LowStockThreshold *api.Number `json:"lowStockThreshold"`
}

func (h handler) patch(w http.ResponseWriter, r *http.Request) {
	var req patchRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var v domain.ValidationError
	patch := inventory.ProductPatch{Name: req.Name, Description: req.Description}
	if req.Price != nil {
		s := string(*req.Price)
		patch.Price = &s
	}
	if req.LowStockThreshold != nil {
		n := wholeNumber(&v, "lowStockThreshold", req.LowStockThreshold)
		patch.LowStockThreshold = &n
	}
	if req == (patchRequest{}) {
		v.Add("body", "must change at least one of name, description, price, lowStockThreshold")
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	view, err := h.svc.UpdateProduct(r.Context(), chi.URLParam(r, "productCode"), patch)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(view))
}

type stockRequest struct {
	Quantity *api.Number `json:"quantity"`
}

func (h handler) setStock(w http.ResponseWriter, r *http.Request) {
	var req stockRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var v domain.ValidationError
	qty := wholeNumber(&v, "quantity", req.Quantity)
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	view, err := h.svc.SetStock(r.Context(), chi.URLParam(r, "productCode"), qty)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(view))
}

type movementJSON struct {
	Seq       int64        `json:"seq"`
	Kind      string       `json:"kind"`
	Quantity  int64        `json:"quantity"`
	OrderID   string       `json:"orderId,omitempty"`
	UnitPrice *json.Number `json:"unitPrice,omitempty"`
	Currency  string       `json:"currency,omitempty"`
	OnHand    int64        `json:"onHand"`
	Reserved  int64        `json:"reserved"`
	Available int64        `json:"available"`
	At        time.Time    `json:"at"`
	Note      string       `json:"note,omitempty"`
}

func (h handler) movements(w http.ResponseWriter, r *http.Request) {
	var v domain.ValidationError
	q := r.URL.Query()
	limit := api.PageLimit(&v, q)
	var before int64
	if q.Has("before") { // given but empty is refused too, as the spec says
		n, err := strconv.ParseInt(q.Get("before"), 10, 64)
		if err != nil || n < 1 {
			v.Add("before", "must be a sequence number (a whole number ≥ 1)")
		}
		before = n
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	ms, err := h.svc.Movements(r.Context(), chi.URLParam(r, "productCode"), before, limit)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	out := make([]movementJSON, len(ms))
	for i, m := range ms {
		out[i] = movementJSON{
			Seq: m.Seq, Kind: string(m.Kind), Quantity: m.Quantity, OrderID: m.OrderID,
			OnHand: m.Level.OnHand, Reserved: m.Level.Reserved, Available: m.Level.Available(), At: m.At.UTC(), Note: m.Note,
		}
		if m.UnitPrice != nil {
			p := json.Number(m.UnitPrice.String())
			out[i].UnitPrice, out[i].Currency = &p, m.UnitPrice.Currency
		}
	}
	if len(ms) == limit && ms[len(ms)-1].Seq > 1 {
		api.SetNextPage(w, r, "before", strconv.FormatInt(ms[len(ms)-1].Seq, 10))
	}
	api.WriteJSON(w, http.StatusOK, out)
}

func required(v *domain.ValidationError, field string, s *string) string {
	if s == nil {
		v.Add(field, "is required")
		return ""
	}
	return *s
}

// wholeNumber reads a required whole number field in the range of a stock quantity.
func wholeNumber(v *domain.ValidationError, field string, n *api.Number) int64 {
	if n == nil {
		v.Add(field, "is required")
		return 0
	}
	q, err := n.Int64()
	if err != nil {
		v.Add(field, "must be a whole number")
		return 0
	}
	domain.ValidateQuantity(v, field, q)
	return q
}
