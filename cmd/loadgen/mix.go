package main

import (
	"fmt"
	"math/rand/v2"
)

// Mixes of orders (the -mix flag).
const (
	mixHot    = "hot"    // every order on one product
	mixSpread = "spread" // orders spread over many products
)

// mix decides what each order of a run looks like: which product, whether its card is declined,
// whether it is cancelled once confirmed. A small share goes to one scarce product, so that some orders
// are REJECTED for want of stock.
type mix struct {
	name     string
	products int     // stocked products of a spread mix (a hot mix uses the first only)
	declined float64 // share of orders paid with a declined card
	cancel   float64 // share of orders cancelled after confirmation
	scarce   float64 // share of orders on the scarce product
	seed     uint64
}

// plan is one order to place.
type plan struct {
	product  int // index into the stocked products; scarceProduct for the scarce one
	declined bool
	cancel   bool
}

const scarceProduct = -1

func newMix(name string, products int, seed uint64) (mix, error) {
	if name != mixHot && name != mixSpread {
		return mix{}, fmt.Errorf("mix %q: want %q or %q", name, mixHot, mixSpread)
	}
	if products < 1 {
		return mix{}, fmt.Errorf("products %d: want at least 1", products)
	}
	if name == mixHot {
		products = 1
	}
	return mix{name: name, products: products, declined: 0.10, cancel: 0.05, scarce: 0.02, seed: seed}, nil
}

// pick is the plan of the i-th order: the same i always gives the same plan, whichever goroutine asks.
func (m mix) pick(i int) plan {
	r := rand.New(rand.NewPCG(m.seed, uint64(i)))
	p := plan{product: r.IntN(m.products)}
	if r.Float64() < m.scarce {
		p.product = scarceProduct
	}
	p.declined = r.Float64() < m.declined
	// Only an order that can be confirmed is planned for cancellation.
	p.cancel = !p.declined && r.Float64() < m.cancel/(1-m.declined)
	return p
}
