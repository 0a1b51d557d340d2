package lifecycle_test

import (
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

func TestDigestID(t *testing.T) {
	s := lifecycle.Storm{Account: "123456789012", Actor: "arn:aws:iam::123456789012:role/ci", EventName: "RunInstances"}
	h := s.Hash()
	if len(h) != 32 || h == (lifecycle.Storm{Account: "123456789012", Actor: "arn:aws:iam::123456789012:role/ci", EventName: "RunInstance"}).Hash() {
		t.Fatalf("hash %q", h)
	}
	id := lifecycle.DigestID(h, t0)
	gotHash, gotStart, err := lifecycle.ParseDigestID(id)
	if err != nil || gotHash != h || !gotStart.Equal(t0) {
		t.Errorf("ParseDigestID(%q) = %q %s %v", id, gotHash, gotStart, err)
	}
	for _, bad := range []string{"", "abc-1", h, h + "-x", "G" + h[1:] + "-1"} {
		if _, _, err := lifecycle.ParseDigestID(bad); err == nil {
			t.Errorf("ParseDigestID(%q) accepted", bad)
		}
	}
	if kind, key := lifecycle.ParseMember(lifecycle.Member("", "k1")); kind != finding.MessageAlert || key != "k1" {
		t.Errorf("member: %s %s", kind, key)
	}
}

func TestDue(t *testing.T) {
	c := lifecycle.StormConfig{Threshold: 5, Period: 5 * time.Minute, Interval: time.Minute}
	if got := c.Due(t0, t0.Add(5*time.Minute)); !got.Equal(t0.Add(4 * time.Minute)) {
		t.Errorf("due %s", got)
	}
	if got := c.Due(t0, t0.Add(30*time.Second)); !got.Equal(t0) {
		t.Errorf("due of a period shorter than the interval: %s", got)
	}
}
