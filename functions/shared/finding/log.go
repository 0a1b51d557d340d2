package finding

import (
	"bufio"
	"compress/gzip"
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
// *UnsupportedEventError), in order. Records are read one at a time, so a
// file of any size is read in the memory of its largest record. Members
// other than "Records" are skipped. ParseLog stops with fn's error when fn
// returns one, and with a *LogError when the file is not a log file.
func ParseLog(r io.Reader, fn func(i int, f *Finding, err error) error) error {
	return ScanLog(r, func(i int, raw []byte) error {
		f, err := Parse(raw)
		return fn(i, f, err)
	})
}

// MaxRecordBytes bounds one record of a log file (and any other member):
// CloudTrail's largest are a few hundred kilobytes.
const MaxRecordBytes = 16 << 20

// ScanLog reads a log file as ParseLog does and calls fn with each record's
// index and JSON, without parsing it: raw is valid only until fn returns.
// It checks that each record is one JSON value and nothing more, so that
// callers can parse records elsewhere (on other cores) from copies.
func ScanLog(r io.Reader, fn func(i int, raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return &LogError{Reason: "gzip", Err: err}
		}
		defer gz.Close()
		r = gz
	} else {
		r = br
	}
	s := &logScanner{r: r, buf: make([]byte, 0, 256<<10)}
	if err := s.expect('{'); err != nil {
		return err
	}
	found := false
	if c, err := s.peek(); err != nil {
		return err
	} else if c == '}' {
		return &LogError{Reason: `no "Records" array`}
	}
	for {
		key, err := s.value("member name")
		if err != nil {
			return err
		}
		if key[0] != '"' {
			return &LogError{Reason: fmt.Sprintf("want a member name, got %.20q", key)}
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if string(key) != `"Records"` {
			if _, err := s.value("member " + string(key)); err != nil {
				return err
			}
		} else {
			found = true
			if err := s.records(fn); err != nil {
				return err
			}
		}
		c, err := s.next()
		if err != nil {
			return err
		}
		if c == '}' {
			break
		}
		if c != ',' {
			return &LogError{Reason: fmt.Sprintf("want ',' or '}', got %q", c)}
		}
	}
	if !found {
		return &LogError{Reason: `no "Records" array`}
	}
	return nil
}

// logScanner reads JSON values from a stream, holding at most one value
// (and what was read past it) in buf.
type logScanner struct {
	r   io.Reader
	buf []byte
	pos int   // the next unread byte of buf
	err error // what the last read returned, io.EOF at the end
}

// records reads the array of records after "Records":.
func (s *logScanner) records(fn func(i int, raw []byte) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if c, err := s.peek(); err != nil {
		return err
	} else if c == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		raw, err := s.value(fmt.Sprintf("record %d", i))
		if err != nil {
			return err
		}
		if err := fn(i, raw); err != nil {
			return err
		}
		c, err := s.next()
		if err != nil {
			return err
		}
		if c == ']' {
			return nil
		}
		if c != ',' {
			return &LogError{Reason: fmt.Sprintf("record %d: want ',' or ']', got %q", i, c)}
		}
	}
}

// peek returns the next byte that is not whitespace, without reading it.
func (s *logScanner) peek() (byte, error) {
	for {
		s.pos = skipSpace(s.buf, s.pos)
		if s.pos < len(s.buf) {
			return s.buf[s.pos], nil
		}
		if !s.fill() {
			return 0, s.readError("unexpected end")
		}
	}
}

// next reads the next byte that is not whitespace.
func (s *logScanner) next() (byte, error) {
	c, err := s.peek()
	if err == nil {
		s.pos++
	}
	return c, err
}

func (s *logScanner) expect(want byte) error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c != want {
		return &LogError{Reason: fmt.Sprintf("want %q, got %q", want, c)}
	}
	return nil
}

// value reads the next JSON value; what names it in errors.
func (s *logScanner) value(what string) ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	for {
		end, ok := skipValue(s.buf, s.pos, 1)
		// A value that ends the buffer may go on (a number) unless the
		// stream has ended.
		if ok && (end < len(s.buf) || s.err != nil) {
			v := s.buf[s.pos:end:end]
			s.pos = end
			return v, nil
		}
		if len(s.buf)-s.pos > MaxRecordBytes {
			return nil, &LogError{Reason: fmt.Sprintf("%s: larger than %d bytes, or not JSON", what, MaxRecordBytes)}
		}
		if !s.fill() {
			if ok {
				continue
			}
			return nil, s.readError(what + ": invalid JSON")
		}
	}
}

// fill reads more of the stream into buf, keeping its unread bytes; false
// when the stream has nothing more.
func (s *logScanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf, s.pos = s.buf[:n], 0
	}
	if len(s.buf) == cap(s.buf) {
		s.buf = append(s.buf, make([]byte, cap(s.buf))...)[:len(s.buf)]
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err != nil {
		s.err = err
	}
	return n > 0 || err == nil
}

// readError is the *LogError of a stream that ended or failed early.
func (s *logScanner) readError(reason string) error {
	if s.err != nil && s.err != io.EOF {
		return &LogError{Reason: reason, Err: s.err}
	}
	return &LogError{Reason: reason, Err: io.ErrUnexpectedEOF}
}
