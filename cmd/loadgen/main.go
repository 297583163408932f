// Command loadgen places orders against a running order service and reports throughput and
// submission latency. It sends traffic only to the addresses it is given (127.0.0.1 by default) and
// stops by itself after -n orders.
//
//	go run ./cmd/loadgen -n 300 -c 16
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	inventory := flag.String("inventory", "http://127.0.0.1:3000", "inventory service URL")
	orders := flag.String("orders", "http://127.0.0.1:3002", "order service URL")
	n := flag.Int("n", 200, "orders to place")
	c := flag.Int("c", 16, "concurrent clients")
	products := flag.Int("products", 10, "products to spread the orders over")
	flag.Parse()
	if err := run(*inventory, *orders, *n, *c, *products); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(inventory, orders string, n, c, products int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Minute}
	run := time.Now().UnixNano()
	codes := make([]string, products)
	for i := range codes {
		codes[i] = fmt.Sprintf("LOAD-%d-%d", run, i)
		body := fmt.Sprintf(`{"productCode":%q,"name":"Load %d","description":"load test","quantity":1000000,"price":9.99}`, codes[i], i)
		resp, err := client.Post(inventory+"/api/v1/inventory", "application/json", bytes.NewBufferString(body))
		if err != nil {
			return fmt.Errorf("create product: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create product: status %d", resp.StatusCode)
		}
	}

	latencies := make([]time.Duration, n)
	statuses := map[int]int{}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				body, _ := json.Marshal(map[string]any{"customerId": "load", "items": []map[string]any{{"productCode": codes[i%products], "quantity": 1}}})
				t0 := time.Now()
				resp, err := client.Post(orders+"/api/v1/orders", "application/json", bytes.NewReader(body))
				latencies[i] = time.Since(t0)
				code := -1
				if err == nil {
					code = resp.StatusCode
					resp.Body.Close()
				}
				mu.Lock()
				statuses[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		return latencies[int(p*float64(len(latencies)-1))].Round(time.Millisecond)
	}
	fmt.Printf("orders=%d concurrency=%d products=%d elapsed=%s\n", n, c, products, elapsed.Round(time.Millisecond))
	fmt.Printf("throughput=%.1f orders/s  p50=%s p90=%s p99=%s max=%s\n", float64(n)/elapsed.Seconds(), pct(0.5), pct(0.9), pct(0.99), latencies[len(latencies)-1].Round(time.Millisecond))
	fmt.Printf("statuses=%v\n", statuses)
	return nil
}
