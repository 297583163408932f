package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrUnroutable is returned by Publish when the broker handed the message back because no queue is
// bound for its routing key (and the exchange's alternate exchange, if any, took it nowhere either):
// the message went nowhere, so it must not count as delivered. Callers treat it as a publish that did
// not happen: a saga step fails and Temporal retries it, an HTTP change keeps its event in the outbox.
var ErrUnroutable = errors.New("rabbitmq: message unroutable")

// errChannelGone answers publishes whose channel closed before the broker confirmed them.
var errChannelGone = errors.New("channel closed before the broker confirmed")

// confirmer publishes on one channel in confirm mode and tells each publish what became of it:
// confirmed, refused (nack), or returned as unroutable. Publishes are mandatory; the broker sends the
// basic.return of an unroutable message before the basic.ack of the same message, and amqp091 hands
// both to their listeners in that order from its single reader goroutine. So one goroutine here
// listens to both, and before it settles a confirm it takes every return already waiting: a return
// is never matched after its own ack. Returns are matched to publishes by message id.
type confirmer struct {
	ch *amqp.Channel

	publishMu sync.Mutex // held from reading the next delivery tag to sending, so the tag is this publish's

	mu      sync.Mutex
	pending map[uint64]pendingPublish // by delivery tag
	gone    bool                      // the channel closed: publishes fail at once
}

type pendingPublish struct {
	id     string
	result chan error // buffered: the settling goroutine never waits for a publisher that gave up
}

// newConfirmer puts ch in confirm mode and starts listening. The listener ends when ch closes.
func newConfirmer(ch *amqp.Channel) (*confirmer, error) {
	if err := ch.Confirm(false); err != nil {
		return nil, fmt.Errorf("enable publisher confirms: %w", err)
	}
	c := &confirmer{ch: ch, pending: map[uint64]pendingPublish{}}
	// Buffers keep the library's reader from waiting on this goroutine (it gives up on a listener
	// after 5 s); the order between a return and its ack holds whatever their size.
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 256))
	returns := ch.NotifyReturn(make(chan amqp.Return, 256))
	go c.listen(confirms, returns)
	return c, nil
}

// publish sends pub as a mandatory message and returns the channel its outcome arrives on: nil once
// confirmed, an error wrapping ErrUnroutable when it was returned, another error when refused or when
// the channel closed first.
func (c *confirmer) publish(ctx context.Context, exchange, key string, pub amqp.Publishing) (<-chan error, error) {
	result := make(chan error, 1)
	c.publishMu.Lock()
	defer c.publishMu.Unlock()
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return nil, errChannelGone
	}
	tag := c.ch.GetNextPublishSeqNo()
	c.pending[tag] = pendingPublish{id: pub.MessageId, result: result}
	c.mu.Unlock()
	if err := c.ch.PublishWithContext(ctx, exchange, key, true, false, pub); err != nil {
		c.mu.Lock()
		delete(c.pending, tag)
		c.mu.Unlock()
		return nil, err
	}
	return result, nil
}

// listen settles publishes as the broker's confirms arrive, until the channel closes.
func (c *confirmer) listen(confirms <-chan amqp.Confirmation, returns <-chan amqp.Return) {
	returned := map[string][]amqp.Return{} // by message id, waiting for their publish's confirm
	take := func(r amqp.Return) { returned[r.MessageId] = append(returned[r.MessageId], r) }
	for {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			take(r)
		case conf, ok := <-confirms:
			if !ok {
				c.closeAll()
				return
			}
			// Every return the broker sent before this confirm is in the buffer already.
		drain:
			for returns != nil {
				select {
				case r, ok := <-returns:
					if !ok {
						returns = nil
						break drain
					}
					take(r)
				default:
					break drain
				}
			}
			c.settle(conf, returned)
		}
	}
}

func (c *confirmer) settle(conf amqp.Confirmation, returned map[string][]amqp.Return) {
	c.mu.Lock()
	p, ok := c.pending[conf.DeliveryTag]
	delete(c.pending, conf.DeliveryTag)
	c.mu.Unlock()
	if !ok {
		return
	}
	var err error
	if rs := returned[p.id]; len(rs) > 0 {
		r := rs[0]
		if len(rs) == 1 {
			delete(returned, p.id)
		} else {
			returned[p.id] = rs[1:]
		}
		err = fmt.Errorf("%w: exchange %q, routing key %q (%d %s)", ErrUnroutable, r.Exchange, r.RoutingKey, r.ReplyCode, r.ReplyText)
	} else if !conf.Ack {
		err = errors.New("broker refused the message (nack)")
	}
	p.result <- err
}

// closeAll fails every publish still waiting: the channel closed under them.
func (c *confirmer) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone = true
	for tag, p := range c.pending {
		p.result <- errChannelGone
		delete(c.pending, tag)
	}
}
