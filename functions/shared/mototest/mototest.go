// Package mototest starts a moto server (the AWS API emulator) for a Go
// test. It imports no AWS SDK: the test builds its clients against the URL
// Start returns.
package mototest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Python is the interpreter with moto: TRAILWATCH_PYTHON (the Makefile sets
// it, as an absolute path when moto lives in the project's .venv) or
// python3.
func Python() string {
	if p := os.Getenv("TRAILWATCH_PYTHON"); p != "" {
		return p
	}
	return "python3"
}

// Start starts a moto server on a free loopback port, stops it when the
// test ends, and returns its URL. It skips the test when Python cannot
// import moto, and fails it when moto exits or does not answer within 30 s
// (with moto's log).
func Start(t testing.TB) string {
	t.Helper()
	python := Python()
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		t.Skipf("moto is not importable by %s: %v: %s", python, err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		logFile.Close()
	})

	url := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("moto exited: %v\n%s", err, log)
		default:
		}
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("moto did not answer on %s within 30s\n%s", url, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
