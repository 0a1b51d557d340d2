package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	content := bytes.Repeat([]byte("\x7fELF trailwatch "), 1000)
	if err := os.WriteFile(bootstrap, content, 0o600); err != nil {
		t.Fatal(err)
	}
	first, second := filepath.Join(dir, "first.zip"), filepath.Join(dir, "second.zip")
	for _, out := range []string{first, second} {
		if err := write(out, bootstrap); err != nil {
			t.Fatalf("write %s: %v", out, err)
		}
		// The same binary gives the same zip whenever it is built.
		if err := os.Chtimes(bootstrap, time.Now(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two zips of the same binary differ")
	}

	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("entry %q, want bootstrap", f.Name)
	}
	if got := f.Mode().Perm(); got != 0o755 {
		t.Errorf("mode %v, want 0755: Lambda must be able to execute it", got)
	}
	if f.Method != zip.Deflate {
		t.Errorf("method %d, want deflate", f.Method)
	}
	if want := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); !f.Modified.Equal(want) {
		t.Errorf("modified %v, want the fixed %v", f.Modified, want)
	}
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Error("the entry's content is not the binary")
	}
}

func TestWriteMissingBinary(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.zip")
	if err := write(out, filepath.Join(dir, "missing")); err == nil {
		t.Fatal("write of a missing binary succeeded")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a zip was written for a missing binary")
	}
}
