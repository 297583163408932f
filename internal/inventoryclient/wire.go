package inventoryclient

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// reservationJSON is the service's answer on the wire (api/inventoryapi's reservationJSON, declared
// here so the client owns its side of the contract).
type reservationJSON struct {
	OrderID   string     `json:"orderId"`
	State     string     `json:"state"`
	Lines     []lineJSON `json:"lines"`
	Restocked bool       `json:"restocked"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

type lineJSON struct {
	ProductCode    string `json:"productCode"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency"`
	Seq            int64  `json:"seq"`
}

// decodeReservation reads a 200 answer. An answer that is not a reservation (no order id or state) is
// a plain error: a proxy's page, another service on the port.
func decodeReservation(b []byte) (inventory.Reservation, error) {
	var w reservationJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return inventory.Reservation{}, fmt.Errorf("answer is no reservation: %w", err)
	}
	if w.OrderID == "" || w.State == "" {
		return inventory.Reservation{}, fmt.Errorf("answer is no reservation: %s", excerpt(b))
	}
	res := inventory.Reservation{
		OrderID: w.OrderID, State: inventory.ReservationState(w.State), Restocked: w.Restocked, UpdatedAt: w.UpdatedAt,
	}
	for _, l := range w.Lines {
		res.Lines = append(res.Lines, inventory.ReservedLine{ProductCode: l.ProductCode, Quantity: l.Quantity,
			UnitPrice: domain.Money{Minor: l.UnitPriceMinor, Currency: l.Currency}, Seq: l.Seq})
	}
	return res, nil
}

// problemBase prefixes the problem types the service answers (api.ProblemBase).
const problemBase = "https://order-saga.example/problems/"

// problemJSON is an RFC 9457 problem with the extension members of the stock refusals.
type problemJSON struct {
	Type          string              `json:"type"`
	Detail        string              `json:"detail"`
	Errors        []domain.FieldError `json:"errors"`
	OmittedErrors int                 `json:"omittedErrors"`
	ProductCode   string              `json:"productCode"`
	Requested     int64               `json:"requested"`
	Available     int64               `json:"available"`
}

// refusal marks an answer the use case gave on purpose: the service is up (the breaker counts it a
// success) and the error it wraps is the one the use case returned.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// answerError turns an answer other than 200 into an error. The use case's refusals, told apart by
// their problem type, come back as the errors it returns (*domain.UnknownProductError,
// *domain.InsufficientStockError, *domain.ValidationError, wrapping domain.ErrConflict or
// domain.ErrNotFound); anything else (401, 5xx, a page that is no problem) is a plain error, which the
// activities leave retryable.
func answerError(resp *http.Response, b []byte) error {
	var p problemJSON
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if media != "application/problem+json" || json.Unmarshal(b, &p) != nil || !strings.HasPrefix(p.Type, problemBase) {
		return fmt.Errorf("inventory answered %d: %s", resp.StatusCode, excerpt(b))
	}
	switch slug := strings.TrimPrefix(p.Type, problemBase); {
	case slug == "validation" && resp.StatusCode == http.StatusBadRequest:
		return &refusal{&domain.ValidationError{Fields: p.Errors, Omitted: p.OmittedErrors}}
	case slug == "unknown-product" && resp.StatusCode == http.StatusUnprocessableEntity:
		return &refusal{&domain.UnknownProductError{ProductCode: p.ProductCode}}
	case slug == "insufficient-stock" && resp.StatusCode == http.StatusConflict:
		return &refusal{&domain.InsufficientStockError{ProductCode: p.ProductCode, Requested: p.Requested, Available: p.Available}}
	case slug == "conflict" && resp.StatusCode == http.StatusConflict:
		return &refusal{fmt.Errorf("%s: %w", p.Detail, domain.ErrConflict)}
	case slug == "not-found" && resp.StatusCode == http.StatusNotFound:
		return &refusal{fmt.Errorf("%s: %w", p.Detail, domain.ErrNotFound)}
	default:
		return fmt.Errorf("inventory answered %d %s: %s", resp.StatusCode, slug, p.Detail)
	}
}

// excerpt quotes the start of an answer in an error.
func excerpt(b []byte) string {
	const maxLen = 200
	s := strings.TrimSpace(string(b))
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return fmt.Sprintf("%q", s)
}
