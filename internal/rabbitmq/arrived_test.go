package rabbitmq

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
)

func TestArrivedTakesWhatIsThereUpToTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name         string
		waiting      int // messages ready behind the first
		limit        int
		wait         time.Duration
		want         int
		lateArrivals int // messages sent 5 ms apart after the call starts
	}{
		{name: "a quiet queue: one at a time", waiting: 0, limit: 64, want: 1},
		{name: "a backlog comes over whole", waiting: 9, limit: 64, want: 10},
		{name: "no more than the limit", waiting: 9, limit: 4, want: 4},
		{name: "a limit of one never waits", waiting: 9, limit: 1, wait: time.Hour, want: 1},
		{name: "what comes within the wait joins", waiting: 1, limit: 64, wait: 300 * time.Millisecond, lateArrivals: 3, want: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deliveries := make(chan amqp.Delivery, 64)
			for range tc.waiting {
				deliveries <- amqp.Delivery{}
			}
			go func() {
				for range tc.lateArrivals {
					time.Sleep(5 * time.Millisecond)
					deliveries <- amqp.Delivery{}
				}
			}()
			require.Len(t, arrived(amqp.Delivery{}, deliveries, tc.limit, tc.wait), tc.want)
		})
	}
}
