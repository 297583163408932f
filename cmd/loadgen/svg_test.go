package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteSVGIsValidXMLWithEveryPoint(t *testing.T) {
	tests := []struct {
		name   string
		series []series
		points int
	}{
		{"two targets", []series{
			{Label: "system p50", Color: "#c00", Points: []point{{5, 90}, {10, 120}, {15, 2500}}},
			{Label: "system p99", Color: "#c00", Dashed: true, Points: []point{{5, 200}, {10, 900}, {15, 6000}}},
			{Label: "no-op ceiling p50", Color: "#00c", Points: []point{{5, 30}, {10, 32}}},
		}, 8},
		{"no points", []series{{Label: "empty", Color: "#000"}}, 0},
		{"a zero latency", []series{{Label: "zero", Color: "#000", Points: []point{{1, 0}}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, writeSVG(&buf, "POST → decision", tt.series))
			dec := xml.NewDecoder(&buf)
			circles, root := 0, ""
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				if se, ok := tok.(xml.StartElement); ok {
					if root == "" {
						root = se.Name.Local
					}
					if se.Name.Local == "circle" {
						circles++
					}
				}
			}
			require.Equal(t, "svg", root)
			require.Equal(t, tt.points, circles)
		})
	}
}
