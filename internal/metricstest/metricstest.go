// Package metricstest reads one series out of a Prometheus registry or a parsed scrape, for tests
// that assert a metric moved.
package metricstest

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

// Gather returns reg's metric families by name, failing t if it cannot gather them.
func Gather(t testing.TB, reg prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	byName := make(map[string]*dto.MetricFamily, len(families))
	for _, f := range families {
		byName[f.GetName()] = f
	}
	return byName
}

// Series is the first series of family name whose labels include every one of labels (others may
// differ); nil when there is none.
func Series(families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	f, ok := families[name]
	if !ok {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				continue next
			}
		}
		return m
	}
	return nil
}

// Value is a counter's or a gauge's value, a histogram's sample count; -1 for no series.
func Value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return -1
}
