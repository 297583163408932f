package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// phase is one target's figures in a run: its low-rate step and its steps to the knee.
type phase struct {
	Low       *stepResult  `json:"low,omitempty"`
	Steps     []stepResult `json:"steps,omitempty"`
	Sustained float64      `json:"sustainedRate"` // highest step rate that passed
	// Timeline is where the low-rate orders' sagas spent their time (the system only).
	Timeline *sagaTimeline `json:"timeline,omitempty"`
}

// report is everything a run measured; it is written as report.json.
type report struct {
	Started time.Time `json:"started"`
	Machine struct {
		Cores int    `json:"cores"`
		OS    string `json:"os"`
	} `json:"machine"`
	Config      map[string]any `json:"config"`
	System      phase          `json:"system"`
	Ceiling     phase          `json:"ceiling"`
	Ratios      ratios         `json:"ratios"`
	Correctness *correctness   `json:"correctness,omitempty"`
}

// ratios are the system's figures over the ceiling's of the same run.
type ratios struct {
	Sustained float64 `json:"sustainedRate"` // system's sustained rate ÷ the ceiling's
	LowP50    float64 `json:"lowRateP50"`    // system's p50 POST → decision at the low rate ÷ the ceiling's
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (r *report) computeRatios() {
	r.Ratios.Sustained = ratio(r.System.Sustained, r.Ceiling.Sustained)
	if r.System.Low != nil && r.Ceiling.Low != nil {
		r.Ratios.LowP50 = ratio(r.System.Low.Decision.P50, r.Ceiling.Low.Decision.P50)
	}
}

// plotSeries are the p50 and p99 lines of each target's steps.
func (r *report) plotSeries() []series {
	var out []series
	add := func(label, color string, steps []stepResult) {
		p50 := series{Label: label + " p50", Color: color}
		p99 := series{Label: label + " p99", Color: color, Dashed: true}
		for _, s := range steps {
			p50.Points = append(p50.Points, point{s.Rate, s.Decision.P50})
			p99.Points = append(p99.Points, point{s.Rate, s.Decision.P99})
		}
		out = append(out, p50, p99)
	}
	if len(r.System.Steps) > 0 {
		add("system", "#c0392b", r.System.Steps)
	}
	if len(r.Ceiling.Steps) > 0 {
		add("no-op ceiling", "#2471a3", r.Ceiling.Steps)
	}
	return out
}

// write puts report.json and plot.svg into dir.
func (r *report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), b, 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "plot.svg"))
	if err != nil {
		return fmt.Errorf("write plot: %w", err)
	}
	defer f.Close()
	title := fmt.Sprintf("POST → decision by arrival rate, %s, %d cores", r.Started.Format("2006-01-02 15:04"), runtime.NumCPU())
	if err := writeSVG(f, title, r.plotSeries()); err != nil {
		return err
	}
	return f.Close()
}

// summary prints the run's figures for a reader.
func (r *report) summary(w io.Writer) {
	line := func(label string, s *stepResult) {
		if s != nil {
			fmt.Fprintf(w, "  %-22s %5.1f/s  p50 %6.0f ms  p99 %6.0f ms\n", label, s.Rate, s.Decision.P50, s.Decision.P99)
		}
	}
	fmt.Fprintln(w, "summary (POST → decision):")
	line("system, low rate", r.System.Low)
	line("ceiling, low rate", r.Ceiling.Low)
	if t := r.System.Timeline; t != nil {
		t.print(w)
	}
	fmt.Fprintf(w, "  system sustained %.1f/s, ceiling sustained %.1f/s, ratio %.2f; low-rate p50 ratio %.2f\n",
		r.System.Sustained, r.Ceiling.Sustained, r.Ratios.Sustained, r.Ratios.LowP50)
	if c := r.Correctness; c != nil {
		fmt.Fprintf(w, "  correctness: %d orders %v, without outcome %d, oversold units %d, stock mismatch %d\n",
			c.Orders, c.Statuses, c.WithoutOutcome, c.OversoldUnits, c.StockMismatch)
	}
}
