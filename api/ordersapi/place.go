package ordersapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// placeRequest accepts the current shape (items) and the original single-item shape.
type placeRequest struct {
	CustomerID   *string     `json:"customerId"`
	Items        *api.Lines  `json:"items"`
	ProductCode  *string     `json:"productCode"`
	Quantity     *api.Number `json:"quantity"`
	PaymentToken *string     `json:"paymentToken"`
}

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
	productCode, quantity := api.ReadLine(v, prefix, code, qty)
	return orders.Item{ProductCode: productCode, Quantity: quantity}
}
