// Command replay parses CloudTrail log files ({"Records": [...]}, gzip or
// not, as CloudTrail writes them to S3) and prints one finding per line as
// JSON, then a summary on standard error. It needs no AWS: use it to see
// what trailwatch makes of past activity, or to test a catalog change on
// real logs.
//
//	go run ./functions/shared/cmd/replay [-all] FILE...
//
// By default it prints only findings that open or close exposure, failed
// attempts and defense evasion; -all prints every finding.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func main() {
	all := flag.Bool("all", false, "print every finding, not only alerts")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: replay [-all] FILE...")
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	var records, findings, unsupported, malformed int
	for _, path := range flag.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "replay:", err)
			os.Exit(1)
		}
		err = finding.ParseLog(f, func(i int, fd *finding.Finding, err error) error {
			records++
			var unsup *finding.UnsupportedEventError
			switch {
			case errors.As(err, &unsup):
				unsupported++
				return nil
			case err != nil:
				malformed++
				fmt.Fprintf(os.Stderr, "%s: record %d: %v\n", path, i, err)
				return nil
			}
			findings++
			if *all || fd.Severity != finding.SeverityNone || fd.ClosesExposure {
				return enc.Encode(fd)
			}
			return nil
		})
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "replay: %s: %v\n", path, err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "records=%d findings=%d unsupported=%d malformed=%d\n", records, findings, unsupported, malformed)
}
