package ordersapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// placeRequest accepts the current shape (items) and the original single-item shape.
type placeRequest struct {
	CustomerID   *string     `json:"customerId"`
	Items        *itemList   `json:"items"`
	ProductCode  *string     `json:"productCode"`
	Quantity     *api.Number `json:"quantity"`
	PaymentToken *string     `json:"paymentToken"`
}

type itemJSON struct {
	ProductCode *string     `json:"productCode"`
	Quantity    *api.Number `json:"quantity"`
}

// itemList decodes the items array one element at a time and refuses it as soon as it holds more
// than domain.MaxOrderLines: a megabyte of empty items costs a hundred small decodes, not a slice of
// hundreds of thousands and an error for each.
type itemList []itemJSON

func (l *itemList) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return &json.UnmarshalTypeError{Value: "not an array", Type: itemListType}
	}
	items := itemList{}
	for dec.More() {
		if len(items) == domain.MaxOrderLines {
			return &api.FieldTypeError{Field: "items", Msg: "must list at most " + strconv.Itoa(domain.MaxOrderLines) + " products"}
		}
		var it itemJSON
		if err := dec.Decode(&it); err != nil {
			return err // a type error's field gets the prefix "items." from the outer decoder
		}
		items = append(items, it)
	}
	*l = items
	return nil
}

var itemListType = reflect.TypeFor[[]itemJSON]()

func (h handler) place(w http.ResponseWriter, r *http.Request) {
	var req placeRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	in, key, err := h.input(r, req)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	if key != "" {
		orderID, repeat, err := h.cfg.Keys.OrderFor(r.Context(), in.CustomerID, key, fingerprint(in), in.OrderID)
		if err != nil {
			api.WriteError(w, r, h.log, err)
			return
		}
		in.OrderID = orderID
		if repeat {
			// The order's own record answers once it is final, however long ago its saga ended.
			rec, err := h.orders.Get(r.Context(), orderID)
			switch {
			case err == nil && rec.Status.Terminal():
				h.answerPlaced(w, rec, true)
				return
			case err != nil && !errors.Is(err, domain.ErrNotFound):
				api.WriteError(w, r, h.log, err)
				return
			}
		}
	}
	rec, decided, err := h.sagas.Place(r.Context(), in, h.cfg.DecisionWait)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	if rec.OrderID == "" { // joined a saga that has not answered yet
		rec = orders.Order{OrderID: in.OrderID, CustomerID: in.CustomerID, Status: domain.StatusPending}
	}
	h.answerPlaced(w, rec, decided)
}

// answerPlaced answers a submission with its order: 201 once CONFIRMED, 402 or 409 problems when
// refused, 202 while undecided.
func (h handler) answerPlaced(w http.ResponseWriter, rec orders.Order, decided bool) {
	w.Header().Set("Location", BasePath+"/"+url.PathEscape(rec.OrderID))
	switch {
	case !decided || rec.Status == domain.StatusNeedsAttention:
		api.WriteJSON(w, http.StatusAccepted, toJSON(rec))
	case rec.Status == domain.StatusConfirmed || rec.Status == domain.StatusCompleted:
		api.WriteJSON(w, http.StatusCreated, toJSON(rec))
	case rec.Status == domain.StatusFailed:
		api.WriteProblem(w, orderProblem(http.StatusPaymentRequired, "payment-failed", "Payment failed", rec))
	case rec.Status == domain.StatusRejected && rec.ReasonCode == orders.ReasonUnpriceable:
		// The total overflows or the lines have several currencies: the order as submitted cannot be paid.
		api.WriteProblem(w, orderProblem(http.StatusUnprocessableEntity, "order-unpriceable", "Order cannot be priced", rec))
	default: // REJECTED, CANCELLED
		api.WriteProblem(w, orderProblem(http.StatusConflict, "order-"+strings.ToLower(string(rec.Status)), "Order "+strings.ToLower(string(rec.Status)), rec))
	}
}

func orderProblem(status int, slug, title string, rec orders.Order) api.Problem {
	p := api.NewProblem(status, slug, title, rec.Reason)
	p.Extensions = map[string]any{"orderId": rec.OrderID, "status": rec.Status}
	return p
}

// input validates a submission and builds the saga's input under a new order id, and reads the
// Idempotency-Key ("" when none was sent).
func (h handler) input(r *http.Request, req placeRequest) (workflows.OrderInput, string, error) {
	var v domain.ValidationError
	in := workflows.OrderInput{CreatedAt: h.cfg.Now().UTC().Truncate(time.Millisecond), OrderID: newOrderID()}
	if req.CustomerID != nil {
		in.CustomerID = *req.CustomerID
	}
	if req.PaymentToken != nil {
		in.PaymentToken = *req.PaymentToken
		domain.ValidatePaymentToken(&v, in.PaymentToken)
	}
	switch {
	case req.Items != nil && (req.ProductCode != nil || req.Quantity != nil):
		v.Add("items", "give either items or the single productCode and quantity, not both")
	case req.Items != nil:
		for i, it := range *req.Items {
			in.Items = append(in.Items, line(&v, "items["+strconv.Itoa(i)+"].", it.ProductCode, it.Quantity))
		}
		if len(*req.Items) == 0 {
			v.Add("items", "must list at least one product")
		}
	default:
		in.Items = []activities.StockLine{line(&v, "", req.ProductCode, req.Quantity)}
	}
	var key string
	if header, sent := r.Header["Idempotency-Key"]; sent {
		if len(header) > 1 {
			v.Add("Idempotency-Key", "must be sent once")
		} else {
			key = domain.ParseIdempotencyKey(&v, header[0])
		}
	}
	if err := v.Err(); err != nil {
		return in, "", err
	}
	_, err := domain.NewOrder(in.OrderID, in.CustomerID, orderLines(in))
	return in, key, err
}

func orderLines(in workflows.OrderInput) []domain.OrderLine {
	lines := make([]domain.OrderLine, len(in.Items))
	for i, it := range in.Items {
		lines[i] = domain.OrderLine{ProductCode: it.ProductCode, Quantity: it.Quantity}
	}
	return lines
}

// fingerprint identifies what a submission asks for (see domain.OrderFingerprint).
func fingerprint(in workflows.OrderInput) string {
	return domain.OrderFingerprint(in.CustomerID, in.PaymentToken, orderLines(in))
}

// newOrderID is a random order id: ids never derive from what a client sends.
func newOrderID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

func line(v *domain.ValidationError, prefix string, code *string, qty *api.Number) activities.StockLine {
	var l activities.StockLine
	if code == nil {
		v.Add(prefix+"productCode", "is required")
	} else {
		l.ProductCode = *code
	}
	if qty == nil {
		v.Add(prefix+"quantity", "is required")
	} else if n, err := qty.Int64(); err != nil {
		v.Add(prefix+"quantity", "must be a whole number")
	} else {
		l.Quantity = n
	}
	return l
}
