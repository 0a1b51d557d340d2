// Package playground tests the local playground as a user runs it: the
// built up and send commands as subprocesses, the stack up at the first,
// events sent with the second, the world changed in between, Ctrl-C at the
// end.
package playground

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/moto"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// commands are the playground's commands, built beforehand.
var commands = []string{"./test/cmd/up", "./test/cmd/send"}

// root is the repository; binDir holds the functions and the commands.
var root, binDir string

// TestMain finds the binaries in $TRAILWATCH_BIN (make test builds them),
// or builds them once, before any test and outside every test's deadline.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var cleanup func()
	var err error
	root, binDir, cleanup, err = pipeline.TestBinaries(commands...)
	defer cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// up is a running `up` command.
type up struct {
	cmd    *exec.Cmd
	out    localstack.Buffer
	exited chan error
	state  string
}

// startUp starts the up command in a session of its own, so that every
// process it starts can be found afterwards, and waits until it has
// written its state file.
func startUp(ctx context.Context, t *testing.T) (*up, pipeline.Manifest) {
	t.Helper()
	dir := t.TempDir()
	u := &up{exited: make(chan error, 1), state: filepath.Join(dir, "stack.json")}
	u.cmd = exec.Command(filepath.Join(binDir, "up"), "-port", "0", "-state", u.state,
		"-events", filepath.Join(dir, "events"), "-log", filepath.Join(dir, "up.log"))
	u.cmd.Dir = root
	u.cmd.Stdout, u.cmd.Stderr = &u.out, &u.out
	u.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := u.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { u.exited <- u.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-u.exited:
		default:
			_ = u.cmd.Process.Signal(os.Interrupt)
			select {
			case <-u.exited:
			case <-time.After(30 * time.Second):
				_ = u.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "up.log"))
			t.Logf("up's output:\n%s\nits log:\n%s", u.out.String(), log)
		}
	})
	for {
		if m, err := pipeline.ReadManifest(u.state); err == nil {
			return u, m
		}
		select {
		case err := <-u.exited:
			u.exited <- err
			t.Fatalf("up exited before the stack was up: %v", err)
		case <-ctx.Done():
			t.Fatalf("up did not write %s: %v", u.state, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// send runs the send command on event and returns its exit status and
// output.
func send(ctx context.Context, t *testing.T, state, event string) (int, string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "send"), "-stack", state, event)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("send %s: %v\n%s", event, err, out)
	}
	return 0, string(out)
}

func TestUpSend(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := moto.FindPython(ctx, ""); errors.Is(err, moto.ErrNotFound) {
		t.Skipf("moto unavailable (make test installs it): %v", err)
	}
	u, m := startUp(ctx, t)

	names := pipeline.Default
	patterns, err := pipeline.Patterns(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rules) != len(patterns) {
		t.Errorf("rules %v for %d patterns", m.Rules, len(patterns))
	}
	for i, p := range patterns {
		if i < len(m.Rules) && m.Rules[i] != names.Rule(p.Group) {
			t.Errorf("rule %q for pattern %s, want %q", m.Rules[i], p.Group, names.Rule(p.Group))
		}
	}
	for what, c := range map[string]struct{ got, want string }{
		"table":              {m.Table, names.Table},
		"topic":              {m.Topic, names.Topic},
		"state machine":      {m.StateMachine, names.StateMachine},
		"dead-letter queue":  {m.DeadLetterQueue, names.DeadLetterQueue},
		"notification queue": {m.NotificationQueue, names.AlertsQueue},
		"region":             {m.Region, localstack.Region},
		"account":            {m.Account, localstack.AccountID},
	} {
		if c.got != c.want {
			t.Errorf("%s %q, want %q", what, c.got, c.want)
		}
	}
	printed := u.out.String()
	for _, want := range append([]string{m.Endpoint, m.Region, m.Account, m.EventBus, m.StateMachineARN, m.Table, m.TopicARN,
		m.NotificationQueueURL, m.World.VPCID, m.World.SSHGroupID, m.World.InstanceID, m.World.LoadBalancerARN, m.World.ElasticIP},
		m.Rules...) {
		if !strings.Contains(printed, want) {
			t.Errorf("up does not print %q:\n%s", want, printed)
		}
	}

	authorize := m.Events["ec2-authorizesecuritygroupingress.json"]
	t.Run("an event no rule matches", func(t *testing.T) {
		code, out := send(ctx, t, u.state, m.Events["ec2-describeinstances.json"])
		if code != 3 || !strings.Contains(out, "no rule matches") {
			t.Errorf("exit %d, want 3 saying no rule matches:\n%s", code, out)
		}
	})
	t.Run("the world changed, then the event", func(t *testing.T) {
		client := ec2.NewFromConfig(localstack.ClientConfig(m.Endpoint))
		if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(m.World.SSHGroupID),
			IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		}); err != nil {
			t.Fatal(err)
		}
		code, out := send(ctx, t, u.state, authorize)
		for _, want := range []string{
			"SUCCEEDED, notified",
			"path: Parse > Enrich > Exposed? > Dedupe > Duplicate? > Notify > Confirm > Notified",
			"\nsubject: ",
			"severity=high",
			"tcp 3389 from 0.0.0.0/0",
			m.World.SSHGroupID,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("send does not print %q", want)
			}
		}
		if code != 0 || t.Failed() {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("the same event again", func(t *testing.T) {
		code, out := send(ctx, t, u.state, authorize)
		if code != 0 || !strings.Contains(out, "SUCCEEDED, suppressed") || strings.Contains(out, "\nsubject: ") {
			t.Errorf("exit %d, want 0, suppressed and no notification:\n%s", code, out)
		}
	})
	t.Run("an EventBridge envelope", func(t *testing.T) {
		record, err := os.ReadFile(m.Events["ec2-runinstances.json"])
		if err != nil {
			t.Fatal(err)
		}
		envelope, err := json.Marshal(map[string]any{
			"version": "0", "id": pipeline.NewID(), "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
			"account": m.Account, "region": m.Region, "time": time.Now().UTC().Format(time.RFC3339), "resources": []string{},
			"detail": json.RawMessage(record),
		})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "envelope.json")
		if err := os.WriteFile(path, envelope, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out := send(ctx, t, u.state, path)
		if code != 0 || !strings.Contains(out, "SUCCEEDED, notified") || !strings.Contains(out, m.World.InstanceID) {
			t.Errorf("exit %d, want 0, notified, naming %s:\n%s", code, m.World.InstanceID, out)
		}
	})
	t.Run("a file that is no CloudTrail event", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(path, []byte(`["not", "an", "event"]`), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out := send(ctx, t, u.state, path); code != 2 {
			t.Errorf("exit %d, want 2:\n%s", code, out)
		}
	})

	// Ctrl-C stops everything up started.
	session := u.cmd.Process.Pid
	if err := u.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-u.exited:
		u.exited <- err
		if err != nil {
			t.Errorf("up after SIGINT: %v, want exit 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("up still runs a minute after SIGINT")
	}
	if _, err := os.Stat(u.state); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("up left its state file %s: %v", u.state, err)
	}
	if runtime.GOOS != "linux" {
		t.Logf("leftover processes not checked: /proc is Linux's")
		return
	}
	if left := sessionProcesses(t, session); len(left) > 0 {
		t.Errorf("processes left running after up exited: %s", strings.Join(left, "; "))
	}
}

// sessionProcesses returns the processes of the session sid, from /proc, as
// "pid (command)".
func sessionProcesses(t *testing.T, sid int) []string {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // it exited meanwhile
		}
		// pid (comm) state ppid pgrp session ...; comm may hold spaces.
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[end+1:])
		if len(fields) < 4 {
			continue
		}
		if id, err := strconv.Atoi(fields[3]); err == nil && id == sid {
			out = append(out, s[:end+1])
		}
	}
	return out
}
