package testenv

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"testing"
)

// QueueInfo is what the broker's management API says about a queue.
type QueueInfo struct {
	Name      string         `json:"name"`
	Type      string         `json:"type"` // "quorum", "classic", "stream"
	Durable   bool           `json:"durable"`
	Arguments map[string]any `json:"arguments"`
}

// Queue asks the management API (port RABBITMQ_MANAGEMENT_PORT, default 15672, on the broker's host,
// with the credentials of RABBITMQ_URL) about a queue; found is false when there is no such queue.
func Queue(t testing.TB, name string) (q QueueInfo, found bool) {
	t.Helper()
	u, err := url.Parse(RabbitMQURL(t))
	if err != nil {
		t.Fatalf("testenv: RABBITMQ_URL: %v", err)
	}
	port := os.Getenv("RABBITMQ_MANAGEMENT_PORT")
	if port == "" {
		port = "15672"
	}
	vhost := "/"
	if p := u.Path; len(p) > 1 {
		vhost = p[1:]
	}
	api := "http://" + net.JoinHostPort(u.Hostname(), port) + "/api/queues/" + url.PathEscape(vhost) + "/" + url.PathEscape(name)
	req, err := http.NewRequest(http.MethodGet, api, nil)
	must(t, err)
	pass, _ := u.User.Password()
	req.SetBasicAuth(u.User.Username(), pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testenv: rabbitmq management API: %v (%s)", err, hint)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound:
		return QueueInfo{}, false
	case http.StatusOK:
	default:
		t.Fatalf("testenv: rabbitmq management API: GET %s: %s", api, resp.Status)
	}
	must(t, json.NewDecoder(resp.Body).Decode(&q))
	return q, true
}
