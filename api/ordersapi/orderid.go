package ordersapi

import "github.com/order-saga/shop/api"

// knownOrderID answers 404 for an {id} path parameter that cannot be an order id, before the handler
// (api.KnownOrderID: the order and inventory services check ids alike).
var knownOrderID = api.KnownOrderID("id")
