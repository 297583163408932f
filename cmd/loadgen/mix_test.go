package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMixShares(t *testing.T) {
	const n = 20000
	tests := []struct {
		name     string
		mix      string
		products int
		wantProd int // distinct stocked products used
	}{
		{"hot: one product", mixHot, 50, 1},
		{"spread: all products", mixSpread, 50, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := newMix(tt.mix, tt.products, 7)
			require.NoError(t, err)
			used := map[int]bool{}
			var declined, cancel, scarce int
			for i := range n {
				p := m.pick(i)
				require.Equal(t, p, m.pick(i), "the same order number gives the same plan")
				require.False(t, p.declined && p.cancel, "a declined order cannot be confirmed, so it is not cancelled")
				switch {
				case p.product == scarceProduct:
					scarce++
				default:
					require.Less(t, p.product, tt.products)
					used[p.product] = true
				}
				if p.declined {
					declined++
				}
				if p.cancel {
					cancel++
				}
			}
			require.Len(t, used, tt.wantProd)
			require.InDelta(t, 0.10, float64(declined)/n, 0.01)
			require.InDelta(t, 0.05, float64(cancel)/n, 0.01)
			require.InDelta(t, 0.02, float64(scarce)/n, 0.005)
		})
	}
}

func TestNewMixRefuses(t *testing.T) {
	tests := []struct {
		name, mix string
		products  int
	}{
		{"unknown mix", "lukewarm", 10},
		{"no products", mixSpread, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newMix(tt.mix, tt.products, 1)
			require.Error(t, err)
		})
	}
}
