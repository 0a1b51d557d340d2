package finding_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// logOf builds a CloudTrail log file of the records of every fixture that
// holds one record (bare or in an envelope), repeated until n records.
func logOf(t testing.TB, n int) []byte {
	t.Helper()
	var recs []json.RawMessage
	for _, path := range fixtures(t) {
		data, _ := os.ReadFile(path)
		var probe struct {
			Detail  json.RawMessage `json:"detail"`
			Records json.RawMessage `json:"Records"`
		}
		_ = json.Unmarshal(data, &probe)
		switch {
		case probe.Records != nil:
		case probe.Detail != nil:
			recs = append(recs, probe.Detail)
		default:
			recs = append(recs, data)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(recs[i%len(recs)])
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestParseLog(t *testing.T) {
	plain, err := os.ReadFile("testdata/events/logfile-s3-records.json")
	if err != nil {
		t.Fatal(err)
	}
	built := logOf(t, 200)
	tests := []struct {
		name    string
		data    []byte
		records int
	}{
		{"log file from the S3 guide", plain, countRecords(t, plain)},
		{"gzip", gz(t, plain), countRecords(t, plain)},
		{"every fixture", built, 200},
		{"gzip, every fixture", gz(t, built), 200},
		{"other members around Records", []byte(`{"digest":{"a":[1,2]},"Records":[],"x":null}`), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, parsed := 0, 0
			err := finding.ParseLog(bytes.NewReader(tc.data), func(i int, f *finding.Finding, err error) error {
				if i != n {
					t.Fatalf("record %d after %d", i, n)
				}
				n++
				switch err.(type) {
				case nil:
					parsed++
				case *finding.MalformedEventError, *finding.UnsupportedEventError:
				default:
					t.Errorf("record %d: %T %v", i, err, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.records {
				t.Errorf("%d records, want %d", n, tc.records)
			}
			if tc.records >= 200 && parsed == 0 {
				t.Error("no record parsed to a finding")
			}
		})
	}
}

func TestParseLogErrors(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name string
		data string
		want func(error) bool
	}{
		{"not json", "hello", isLogError},
		{"array", "[]", isLogError},
		{"no records", `{"a":1}`, isLogError},
		{"records not an array", `{"Records":{}}`, isLogError},
		{"truncated", `{"Records":[{"eventID":"1"},`, isLogError},
		{"bad gzip", "\x1f\x8bnot really", isLogError},
		{"callback stops", `{"Records":[{},{}]}`, func(err error) bool { return errors.Is(err, stop) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := finding.ParseLog(strings.NewReader(tc.data), func(int, *finding.Finding, error) error {
				if tc.name == "callback stops" {
					return stop
				}
				return nil
			})
			if !tc.want(err) {
				t.Errorf("error %T %v", err, err)
			}
		})
	}
}

func isLogError(err error) bool {
	var le *finding.LogError
	return errors.As(err, &le)
}

func countRecords(t *testing.T, data []byte) int {
	var l struct{ Records []json.RawMessage }
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	return len(l.Records)
}

// BenchmarkParseLog parses a log file of 10,000 records drawn from the
// fixtures, plain and gzip-compressed.
func BenchmarkParseLog(b *testing.B) {
	data := logOf(b, 10000)
	for _, c := range []struct {
		name string
		data []byte
	}{{"plain", data}, {"gzip", gz(b, data)}} {
		b.Run(fmt.Sprintf("%s-10000", c.name), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				err := finding.ParseLog(bytes.NewReader(c.data), func(int, *finding.Finding, error) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
