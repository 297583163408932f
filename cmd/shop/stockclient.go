package main

import (
	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/internal/inventoryclient"
)

// The order worker's first attempt at reserve and commit runs activities.Inventory over the inventory's
// HTTP door. Adapters import no activities, so the fit of the client to the port is checked here.
var _ activities.StockKeeper = (*inventoryclient.Client)(nil)
