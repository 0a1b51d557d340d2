package finding

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
)

// LogError is returned by ParseLog when the log file itself cannot be read:
// not gzip or JSON, or no "Records" array. Errors of single records are not
// LogErrors: they are passed to the callback.
type LogError struct {
	Reason string
	Err    error
}

func (e *LogError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cloudtrail log: %s: %v", e.Reason, e.Err)
	}
	return "cloudtrail log: " + e.Reason
}

func (e *LogError) Unwrap() error { return e.Err }

// ParseLog reads a CloudTrail log file as CloudTrail writes it to S3,
// {"Records": [...]}, gzip-compressed or not, and calls fn with each
// record's index and its finding or its error (*MalformedEventError or
// *UnsupportedEventError), in order. Records are decoded one at a time, so a
// file of any size is read in constant memory. Members other than "Records"
// are skipped. ParseLog stops with fn's error when fn returns one, and with a
// *LogError when the file is not a log file.
func ParseLog(r io.Reader, fn func(i int, f *Finding, err error) error) error {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return &LogError{Reason: "gzip", Err: err}
		}
		defer gz.Close()
		br = bufio.NewReader(gz)
	}
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return &LogError{Reason: "invalid JSON", Err: err}
		}
		if key, _ := tok.(string); key != "Records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return &LogError{Reason: "invalid JSON", Err: err}
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		for i := 0; dec.More(); i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return &LogError{Reason: fmt.Sprintf("record %d", i), Err: err}
			}
			f, perr := Parse(raw)
			if err := fn(i, f, perr); err != nil {
				return err
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return err
		}
	}
	if !found {
		return &LogError{Reason: `no "Records" array`}
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return &LogError{Reason: "invalid JSON", Err: err}
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return &LogError{Reason: fmt.Sprintf("want %q, got %v", want, tok)}
	}
	return nil
}
