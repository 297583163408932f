package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

const ctlUsage = `usage: shop ctl [-url URL] [-token TOKEN] <command>

Operator commands, through the order service's admin API (Authorization: Bearer ADMIN_TOKEN):
  parked                  list orders waiting for an operator (NEEDS_ATTENTION)
  list [-status STATUS]   list orders by status
  show ID                 one order with its saga steps
  retry ID                run a parked order's failed step again (fresh retry budget)
  compensate ID           compensate a parked order (it ends CANCELLED)
  cancel ID [-reason R]   cancel an order (compensates)

The URL defaults to $SHOP_ADMIN_URL or http://127.0.0.1:3002, the token to $ADMIN_TOKEN.
`

// ctlOrder is the part of an order the operator tool shows.
type ctlOrder struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customerId"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason"`
	TotalPrice *float64  `json:"totalPrice"`
	Currency   string    `json:"currency"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Items      []struct {
		ProductCode string `json:"productCode"`
		Quantity    int64  `json:"quantity"`
	} `json:"items"`
	Steps []struct {
		Name      string `json:"name"`
		State     string `json:"state"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"lastError"`
	} `json:"steps"`
}

// runCtl runs an operator command against the admin API.
func runCtl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ctlUsage) }
	base := fs.String("url", envOr("SHOP_ADMIN_URL", "http://127.0.0.1:3002"), "order service URL")
	token := fs.String("token", os.Getenv("ADMIN_TOKEN"), "admin bearer token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := ctlClient{base: strings.TrimSuffix(*base, "/"), token: *token, http: &http.Client{Timeout: 2 * time.Minute}}
	cmd, rest := fs.Arg(0), fs.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	id := func() (string, error) {
		if len(rest) == 0 || rest[0] == "" {
			return "", fmt.Errorf("%s needs an order id", cmd)
		}
		return rest[0], nil
	}
	switch cmd {
	case "parked", "list":
		status := "NEEDS_ATTENTION"
		if cmd == "list" {
			lf := flag.NewFlagSet("list", flag.ContinueOnError)
			lf.SetOutput(stderr)
			lf.StringVar(&status, "status", "NEEDS_ATTENTION", "order status")
			if err := lf.Parse(rest); err != nil {
				return err
			}
		}
		var orders []ctlOrder
		if err := c.do(ctx, "GET", "/api/v1/admin/orders?status="+url.QueryEscape(status), nil, &orders); err != nil {
			return err
		}
		printOrders(stdout, orders)
		return nil
	case "show":
		oid, err := id()
		if err != nil {
			return err
		}
		var o ctlOrder
		if err := c.do(ctx, "GET", "/api/v1/admin/orders/"+url.PathEscape(oid), nil, &o); err != nil {
			return err
		}
		printOrder(stdout, o)
		return nil
	case "retry", "compensate", "cancel":
		oid, err := id()
		if err != nil {
			return err
		}
		var body io.Reader
		if cmd == "cancel" {
			cf := flag.NewFlagSet("cancel", flag.ContinueOnError)
			cf.SetOutput(stderr)
			reason := cf.String("reason", "cancelled by an operator", "why")
			if err := cf.Parse(rest[1:]); err != nil {
				return err
			}
			b, _ := json.Marshal(map[string]string{"reason": *reason})
			body = strings.NewReader(string(b))
		}
		var o ctlOrder
		if err := c.do(ctx, "POST", "/api/v1/admin/orders/"+url.PathEscape(oid)+"/"+cmd, body, &o); err != nil {
			return err
		}
		printOrder(stdout, o)
		return nil
	case "", "help":
		fmt.Fprint(stdout, ctlUsage)
		if cmd == "" {
			return errors.New("no ctl command given")
		}
		return nil
	}
	fmt.Fprint(stderr, ctlUsage)
	return fmt.Errorf("unknown ctl command %q", cmd)
}

type ctlClient struct {
	base, token string
	http        *http.Client
}

func (c ctlClient) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	if u := os.Getenv("USER"); u != "" {
		req.Header.Set("X-Operator", u)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var p struct{ Title, Detail string }
		_ = json.Unmarshal(b, &p)
		return fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, p.Title, p.Detail)
	}
	return json.Unmarshal(b, out)
}

func printOrders(w io.Writer, orders []ctlOrder) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCUSTOMER\tUPDATED\tREASON")
	for _, o := range orders {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.ID, o.Status, o.CustomerID, o.UpdatedAt.Format(time.RFC3339), o.Reason)
	}
	_ = tw.Flush()
	if len(orders) == 0 {
		fmt.Fprintln(w, "(none)")
	}
}

func printOrder(w io.Writer, o ctlOrder) {
	fmt.Fprintf(w, "order    %s\nstatus   %s\n", o.ID, o.Status)
	if o.Reason != "" {
		fmt.Fprintf(w, "reason   %s\n", o.Reason)
	}
	if o.CustomerID != "" {
		fmt.Fprintf(w, "customer %s\n", o.CustomerID)
	}
	if o.TotalPrice != nil {
		fmt.Fprintf(w, "total    %.2f %s\n", *o.TotalPrice, o.Currency)
	}
	for _, it := range o.Items {
		fmt.Fprintf(w, "item     %d × %s\n", it.Quantity, it.ProductCode)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATE\tATTEMPTS\tLAST ERROR")
	for _, s := range o.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.State, s.Attempts, s.LastError)
	}
	_ = tw.Flush()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
