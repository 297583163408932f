package ordersapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
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
	cmd, err := placeCommand(r, req)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	placed, err := h.orders.Place(r.Context(), cmd)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	if placed.Unlisted != nil {
		h.log.WarnContext(r.Context(), "undecided order not listed until its decision", "orderId", placed.Order.OrderID, "error", placed.Unlisted)
	}
	h.answerPlaced(w, placed.Order, placed.Decided)
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

// placeCommand reads a submission into the place command: its shape only (which fields are there, of
// which types, the Idempotency-Key header); what makes an order valid is the use case's to say.
func placeCommand(r *http.Request, req placeRequest) (orders.PlaceOrder, error) {
	var v domain.ValidationError
	var cmd orders.PlaceOrder
	if req.CustomerID != nil {
		cmd.CustomerID = *req.CustomerID
	}
	if req.PaymentToken != nil {
		cmd.PaymentToken = *req.PaymentToken
	}
	switch {
	case req.Items != nil && (req.ProductCode != nil || req.Quantity != nil):
		v.Add("items", "give either items or the single productCode and quantity, not both")
	case req.Items != nil:
		for i, it := range *req.Items {
			cmd.Items = append(cmd.Items, item(&v, "items["+strconv.Itoa(i)+"].", it.ProductCode, it.Quantity))
		}
	default:
		cmd.Items = []orders.Item{item(&v, "", req.ProductCode, req.Quantity)}
	}
	if header, sent := r.Header["Idempotency-Key"]; sent {
		if len(header) > 1 {
			v.Add("Idempotency-Key", "must be sent once")
		} else {
			cmd.IdempotencyKey = domain.ParseIdempotencyKey(&v, header[0])
		}
	}
	return cmd, v.Err()
}

func item(v *domain.ValidationError, prefix string, code *string, qty *api.Number) orders.Item {
	var it orders.Item
	if code == nil {
		v.Add(prefix+"productCode", "is required")
	} else {
		it.ProductCode = *code
	}
	if qty == nil {
		v.Add(prefix+"quantity", "is required")
	} else if n, err := qty.Int64(); err != nil {
		v.Add(prefix+"quantity", "must be a whole number")
	} else {
		it.Quantity = n
	}
	return it
}
