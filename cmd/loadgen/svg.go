package main

import (
	"fmt"
	"io"
	"math"
	"text/template"
)

// series is one line of the plot: a target's p50 or p99 of POST → decision at each rate.
type series struct {
	Label  string
	Color  string
	Dashed bool
	Points []point
}

type point struct{ Rate, Ms float64 }

// Plot area in SVG units.
const (
	plotW, plotH = 720.0, 420.0
	padL, padB   = 70.0, 50.0
	padT, padR   = 40.0, 180.0
)

// plotted is a series placed on the canvas.
type plotted struct {
	series
	Path string
	XY   []struct{ X, Y, Rate, Ms float64 }
}

type tick struct {
	Pos   float64
	Label string
}

var svgTemplate = template.Must(template.New("svg").Parse(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" font-family="sans-serif" font-size="12">
<title>{{.Title}}</title>
<rect width="{{.W}}" height="{{.H}}" fill="white"/>
<text x="{{.PadL}}" y="24" font-size="14">{{.Title}}</text>
<line x1="{{.PadL}}" y1="{{.Bottom}}" x2="{{.Right}}" y2="{{.Bottom}}" stroke="black"/>
<line x1="{{.PadL}}" y1="{{.PadT}}" x2="{{.PadL}}" y2="{{.Bottom}}" stroke="black"/>
{{range .XTicks}}<text x="{{printf "%.1f" .Pos}}" y="{{$.XLabelY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .YTicks}}<line x1="{{$.PadL}}" y1="{{printf "%.1f" .Pos}}" x2="{{$.Right}}" y2="{{printf "%.1f" .Pos}}" stroke="#ddd"/>
<text x="{{$.YLabelX}}" y="{{printf "%.1f" .Pos}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>
{{end}}<text x="{{.MidX}}" y="{{.AxisY}}" text-anchor="middle">arrival rate (requests/s)</text>
<text x="16" y="{{.MidY}}" transform="rotate(-90 16 {{.MidY}})" text-anchor="middle">POST → decision (ms, log scale)</text>
{{range $i, $s := .Series}}<path d="{{$s.Path}}" fill="none" stroke="{{$s.Color}}" stroke-width="2"{{if $s.Dashed}} stroke-dasharray="6 4"{{end}}/>
{{range $s.XY}}<circle cx="{{printf "%.1f" .X}}" cy="{{printf "%.1f" .Y}}" r="3" fill="{{$s.Color}}"><title>{{$s.Label}}: {{printf "%g" .Rate}}/s, {{printf "%.0f" .Ms}} ms</title></circle>
{{end}}<text x="{{$.LegendX}}" y="{{$.LegendY $i}}" fill="{{$s.Color}}">{{$s.Label}}</text>
{{end}}</svg>
`))

// canvas lays series out on a linear rate axis and a log latency axis.
type canvas struct {
	Title                               string
	W, H, PadL, PadT, Right, Bottom     float64
	XLabelY, YLabelX, MidX, MidY, AxisY float64
	LegendX                             float64
	XTicks, YTicks                      []tick
	Series                              []plotted
}

func (c canvas) LegendY(i int) float64 { return padT + 10 + 18*float64(i) }

// writeSVG plots the series: rate against latency.
func writeSVG(w io.Writer, title string, ss []series) error {
	maxRate, minMs, maxMs := 1.0, math.Inf(1), 1.0
	for _, s := range ss {
		for _, p := range s.Points {
			maxRate, maxMs = max(maxRate, p.Rate), max(maxMs, p.Ms)
			minMs = min(minMs, max(p.Ms, 1))
		}
	}
	if math.IsInf(minMs, 1) {
		minMs = 1
	}
	lo, hi := math.Floor(math.Log10(minMs)), math.Ceil(math.Log10(maxMs))
	if hi <= lo {
		hi = lo + 1
	}
	c := canvas{Title: title, W: padL + plotW + padR, H: padT + plotH + padB, PadL: padL, PadT: padT,
		Right: padL + plotW, Bottom: padT + plotH, XLabelY: padT + plotH + 18, YLabelX: padL - 6,
		MidX: padL + plotW/2, MidY: padT + plotH/2, AxisY: padT + plotH + 40, LegendX: padL + plotW + 16}
	x := func(rate float64) float64 { return padL + rate/maxRate*plotW }
	y := func(ms float64) float64 {
		return padT + plotH - (math.Log10(max(ms, 1))-lo)/(hi-lo)*plotH
	}
	for i := 0; i <= 5; i++ {
		r := maxRate * float64(i) / 5
		c.XTicks = append(c.XTicks, tick{x(r), fmt.Sprintf("%.0f", r)})
	}
	for e := lo; e <= hi; e++ {
		c.YTicks = append(c.YTicks, tick{y(math.Pow(10, e)), fmt.Sprintf("%g", math.Pow(10, e))})
	}
	for _, s := range ss {
		p := plotted{series: s}
		for i, pt := range s.Points {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			p.Path += fmt.Sprintf("%s%.1f %.1f ", cmd, x(pt.Rate), y(pt.Ms))
			p.XY = append(p.XY, struct{ X, Y, Rate, Ms float64 }{x(pt.Rate), y(pt.Ms), pt.Rate, pt.Ms})
		}
		c.Series = append(c.Series, p)
	}
	if err := svgTemplate.Execute(w, c); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}
