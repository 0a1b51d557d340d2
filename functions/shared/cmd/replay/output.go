package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// printer writes findings as JSON lines or as a table.
type printer struct {
	enc   *json.Encoder
	table *tabwriter.Writer
	rows  int
}

func newPrinter(format string, w io.Writer) *printer {
	if format == "table" {
		return &printer{table: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	}
	return &printer{enc: json.NewEncoder(w)}
}

// replayed is a finding as replay prints it with -enrich: the finding the
// log recorded, and what enrich finds exposed now (nil when enrich failed).
type replayed struct {
	*finding.Finding
	Now *finding.Finding `json:"now,omitempty"`
}

// print writes f, and what enrich made of it (now) when -enrich is set.
func (p *printer) print(f, now *finding.Finding) error {
	if p.enc != nil {
		if now == nil {
			return p.enc.Encode(f)
		}
		return p.enc.Encode(replayed{Finding: f, Now: now})
	}
	if p.rows == 0 {
		fmt.Fprintln(p.table, "TIME\tACCOUNT\tREGION\tEVENT\tSEVERITY\tNOW\tSUMMARY")
	}
	p.rows++
	nowSeverity := "-"
	if now != nil {
		nowSeverity = string(now.Severity)
	}
	_, err := fmt.Fprintf(p.table, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Time.Format(time.RFC3339), f.Account, f.Region,
		f.EventName, f.Severity, nowSeverity, strings.ReplaceAll(f.Summary, "\t", " "))
	return err
}

func (p *printer) flush() error {
	if p.table != nil {
		return p.table.Flush()
	}
	return nil
}

// writeSummary writes the summary table of a replay that took elapsed.
func writeSummary(w io.Writer, st *stats, elapsed time.Duration, enriched bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	row := func(name string, v int64) { fmt.Fprintf(tw, "%s\t%d\t\n", name, v) }
	row("files", st.files.Load())
	row("records", st.records.Load())
	row("findings", st.findings.Load())
	row("printed", st.printed.Load())
	row("outside the catalog", st.unsupported.Load())
	row("malformed", st.malformed.Load())
	if enriched {
		row("enrich failed", st.enrichFailed.Load())
	}
	secs := elapsed.Seconds()
	fmt.Fprintf(tw, "bytes read\t%d\t\n", st.bytes.Load())
	fmt.Fprintf(tw, "seconds\t%.2f\t\n", secs)
	if secs > 0 {
		fmt.Fprintf(tw, "MB/s (as read)\t%.1f\t\n", float64(st.bytes.Load())/secs/1e6)
		fmt.Fprintf(tw, "records/s\t%.0f\t\n", float64(st.records.Load())/secs)
	}
	tw.Flush()
}
