package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// stockedProduct is a product the run created and how much stock it started with.
type stockedProduct struct {
	Code    string `json:"code"`
	Initial int64  `json:"initial"`
}

// productCheck is one product's stock after the run, against what its orders say it must be.
type productCheck struct {
	Code           string `json:"code"`
	Initial        int64  `json:"initial"`
	ConfirmedUnits int64  `json:"confirmedUnits"` // units of CONFIRMED or COMPLETED orders
	OnHand         int64  `json:"onHand"`
	Reserved       int64  `json:"reserved"`
	Available      int64  `json:"available"`
	Mismatch       int64  `json:"mismatch"` // onHand − (initial − confirmedUnits): must be 0
	Oversold       int64  `json:"oversold"`
}

// correctness is the run's end state: every order must have an outcome and no unit be sold twice.
type correctness struct {
	Orders         int            `json:"orders"`
	Statuses       map[string]int `json:"statuses"`
	WithoutOutcome int            `json:"withoutOutcome"` // includes POSTs that got no order id
	OversoldUnits  int64          `json:"oversoldUnits"`
	StockMismatch  int64          `json:"stockMismatchUnits"`
	Products       []productCheck `json:"products"`
}

func (c correctness) ok() bool {
	return c.WithoutOutcome == 0 && c.OversoldUnits == 0 && c.StockMismatch == 0
}

// oversoldUnits is how many units of a product were sold beyond its stock.
func (p productCheck) oversoldUnits() int64 {
	return max(0, -p.Available, p.ConfirmedUnits-p.Initial)
}

// verify waits for the run's orders to settle (no stock reserved, every order decided, cancellations
// done) and checks them against the stock.
func verify(ctx context.Context, c *shopClient, products []stockedProduct, orders []placed, unplaced int, settle time.Duration, out io.Writer) correctness {
	deadline := time.Now().Add(settle)
	final := finalStatuses(ctx, c, orders, deadline)
	res := correctness{Orders: len(orders) + unplaced, Statuses: map[string]int{}, WithoutOutcome: unplaced}
	units := map[string]int64{}
	for i, o := range orders {
		st := final[i]
		res.Statuses[st]++
		if !decisions[st] || st == "NEEDS_ATTENTION" {
			res.WithoutOutcome++
		}
		if st == "CONFIRMED" || st == "COMPLETED" {
			units[o.product] += int64(o.qty)
		}
	}
	for _, p := range products {
		var got product
		var err error
		for { // wait until nothing is reserved any more: every saga has committed or released
			got, err = c.product(ctx, p.Code)
			if (err == nil && got.Reserved == 0) || time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		if err != nil {
			fmt.Fprintf(out, "verify: %v\n", err)
		}
		pc := productCheck{Code: p.Code, Initial: p.Initial, ConfirmedUnits: units[p.Code], OnHand: got.Quantity,
			Reserved: got.Reserved, Available: got.Available}
		pc.Mismatch = pc.OnHand - (pc.Initial - pc.ConfirmedUnits)
		pc.Oversold = pc.oversoldUnits()
		res.OversoldUnits += pc.Oversold
		res.StockMismatch += max(pc.Mismatch, -pc.Mismatch) + pc.Reserved
		res.Products = append(res.Products, pc)
	}
	return res
}

// finalStatuses reads every order's status, waiting (until deadline) for those still moving: undecided,
// or CONFIRMED while a cancellation may still be compensating.
func finalStatuses(ctx context.Context, c *shopClient, orders []placed, deadline time.Time) []string {
	final := make([]string, len(orders))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				for {
					a, err := c.order(ctx, orders[i].id)
					final[i] = a.Status
					if err == nil && decisions[a.Status] || time.Now().After(deadline) || ctx.Err() != nil {
						break
					}
					time.Sleep(500 * time.Millisecond)
				}
			}
		}()
	}
	for i := range orders {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return final
}
