package elasticsearch

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// TestOrderRecordKeepsTheIndexNames: the record an index document carries has the JSON names that
// existing indices hold, and reads back as the order it was made from.
func TestOrderRecordKeepsTheIndexNames(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	o := orders.Order{
		OrderID: "o1", CustomerID: "c1", Status: domain.StatusRejected, Reason: "r", ReasonCode: orders.ReasonUnpriceable,
		Lines:      []orders.Line{{ProductCode: "A", Quantity: 2, UnitPriceMinor: 150, Currency: "USD"}},
		TotalMinor: 300, Currency: "USD", PaymentID: "p1",
		Steps: []orders.Step{{Name: "reserve-stock", State: orders.StepFailed, Attempts: 3, LastError: "e"}},
		Seq:   4, CreatedAt: at, UpdatedAt: at,
	}
	b, err := json.Marshal(toOrderRecord(o))
	require.NoError(t, err)
	require.JSONEq(t, `{"orderId":"o1","customerId":"c1","status":"REJECTED","reason":"r","reasonCode":"unpriceable",
		"lines":[{"productCode":"A","quantity":2,"unitPriceMinor":150,"currency":"USD"}],"totalMinor":300,"currency":"USD",
		"paymentId":"p1","steps":[{"name":"reserve-stock","state":"failed","attempts":3,"lastError":"e"}],"seq":4,
		"createdAt":"2026-11-25T12:00:00Z","updatedAt":"2026-11-25T12:00:00Z"}`, string(b))
	var back orderRecord
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, o, back.order())
}
