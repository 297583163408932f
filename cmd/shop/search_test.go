package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/testenv"
)

// stubSearch is a fake search (below the port) answering with fixed results, or hanging until its
// context ends when hang is set.
type stubSearch struct {
	out  []string
	err  error
	hang bool
}

func (s stubSearch) Search(ctx context.Context, _ string) ([]string, error) {
	if s.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.out, s.err
}

func TestFallbackSearch(t *testing.T) {
	store := stubSearch{out: []string{"from the store"}}
	for _, tc := range []struct {
		name    string
		primary stubSearch
		want    []string
	}{
		{"the read model answers", stubSearch{out: []string{"from the index"}}, []string{"from the index"}},
		{"the read model fails", stubSearch{err: errors.New("connection refused")}, []string{"from the store"}},
		{"the read model hangs", stubSearch{hang: true}, []string{"from the store"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fallbackSearch[string, string]{primary: tc.primary, fallback: store, log: testenv.Logger(), timeout: 50 * time.Millisecond}
			got, err := f.Search(context.Background(), "q")
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("a client that gave up gets its own error, not the store's answer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f := fallbackSearch[string, string]{primary: stubSearch{hang: true}, fallback: store, log: testenv.Logger()}
		_, err := f.Search(ctx, "q")
		require.ErrorIs(t, err, context.Canceled)
	})
}
