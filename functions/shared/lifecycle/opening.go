package lifecycle

import (
	"cmp"
	"time"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Config holds the durations of a lifecycle.
type Config struct {
	// Window is how long reports of an open alert are counted instead of
	// sent again.
	Window time.Duration
	// Lease is how long a claim (or a message) that is neither confirmed
	// nor released holds the alert.
	Lease time.Duration
	// Retention is how long after its window a record is kept before the
	// store may expire it.
	Retention time.Duration
}

// Report is one event, as the lifecycle sees it.
type Report struct {
	Key         string
	EventID     string
	ExecutionID string
	// Attempt is the event's receive count (finding.Finding.Attempt).
	Attempt int
	// Now is when the event is handled, in whole seconds: windows and
	// leases that end at or before Now have ended.
	Now time.Time
	// Time is the event's time (Now when unknown).
	Time      time.Time
	Actor     string
	Account   string
	Region    string
	EventName string
	Summary   string
	Severity  finding.Severity
	Resources []finding.Resource
	// Lines are what the event reports exposed (Exposure).
	Lines []Line
}

// Bounds of what a record keeps of its opening event.
const (
	maxSummaryBytes = 500
	maxResources    = 10
	// maxActorBytes bounds an actor's name (an IAM ARN is at most 2,048
	// characters; a finding's strings at most 4 KiB).
	maxActorBytes = 512
	// maxNameBytes bounds the event name, account, region and resource
	// types a record keeps (AWS's are short; a finding's are bounded text).
	maxNameBytes = 128
)

// NewReport returns the report of the finding f under key, handled by
// executionID at now (cut to whole seconds). Its EventID is the event's
// Ref (a CloudTrail event id is a UUID; a longer one is hashed), its
// Actor the actor's name cut to maxActorBytes.
func NewReport(f *finding.Finding, key, executionID string, now time.Time) Report {
	now = now.UTC().Truncate(time.Second)
	rep := Report{
		Key: key, EventID: Ref(f.EventID), ExecutionID: executionID, Attempt: f.Attempt, Now: now, Time: now,
		Actor: cut(f.Actor.Name(), maxActorBytes), Account: cut(f.Account, maxNameBytes), Region: cut(f.Region, maxNameBytes),
		EventName: cut(f.EventName, maxNameBytes),
		Summary:   cut(f.Summary, maxSummaryBytes), Severity: f.Severity, Lines: Exposure(f),
	}
	if !f.Time.IsZero() {
		rep.Time = f.Time.UTC()
	}
	for i, r := range f.Resources {
		if i == maxResources {
			break
		}
		rep.Resources = append(rep.Resources, finding.Resource{Type: finding.ResourceType(cut(string(r.Type), maxNameBytes)), ID: name(r.ID)})
	}
	return rep
}

// Step is what an event does to a record.
type Step string

// Steps.
const (
	// StepClaim: write Next in place of the record: the alert is claimed
	// for this event (Reason says why).
	StepClaim Step = "claim"
	// StepRefresh: the execution holding the pending claim retried it:
	// renew its window and lease (Next).
	StepRefresh Step = "refresh"
	// StepRetake: a later receive of the event holding the pending claim
	// (its earlier try failed): the new execution holds it (Next), at once.
	StepRetake Step = "retake"
	// StepInFlight: another execution is sending a message about the
	// alert now; wait for it to settle.
	StepInFlight Step = "in-flight"
	// StepRepeat: count the event on the open alert (Next), send nothing.
	StepRepeat Step = "repeat"
	// StepDuplicate: the event was already counted (a redelivery); do
	// nothing.
	StepDuplicate Step = "duplicate"
)

// Opening is the decision for an event that reports an exposure.
type Opening struct {
	Step   Step
	Reason ClaimReason
	// Next is the record to write for StepClaim, StepRefresh and
	// StepRepeat.
	Next Record
	// CountEvent is true when the claim counts the event (not a takeover
	// by the event that held the lapsed claim).
	CountEvent bool
}

// OnOpening decides what rep, an event reporting the exposure of rec.Key, does
// to rec:
//
//   - no record: claim (new);
//   - pending: the same execution retries (refresh); a later receive of
//     the holder's event from the intake queue (rep.Attempt above the
//     claim's: the earlier try failed) takes it over at once (retake);
//     another execution while the lease runs waits (in flight); after it,
//     take over;
//   - uncertain: a publish may have gone through: claim it to resend it
//     once, marked as a possible repeat (resend), whichever event reports
//     it;
//   - open: the opening event again, however late, is a duplicate; another
//     event within the window is a repeat; after the window, a reminder
//     (the same alert, sent again); a message about it being sent by
//     another execution makes it wait (in flight);
//   - resolved: its opening event again is a duplicate; while its
//     resolution is being sent, wait; otherwise the exposure came back: a
//     new alert (reopen), whatever the window.
//
// A claim's Next is pending, held by rep's event and execution, with a
// new window and lease.
func OnOpening(rec Record, rep Report, cfg Config) Opening {
	now := rep.Now
	if !rec.Exists {
		return Opening{Step: StepClaim, Reason: ReasonNew, Next: claimed(rec, rep, cfg, ReasonNew), CountEvent: true}
	}
	if m, live := rec.pendingMessage(now); live && m.ExecutionID != rep.ExecutionID {
		return Opening{Step: StepInFlight}
	}
	switch rec.Status {
	case finding.AlertPending:
		switch {
		case rep.ExecutionID != "" && rec.ExecutionID == rep.ExecutionID:
			next := rec
			next.Version++
			next.WindowEnds, next.LeaseEnds = now.Add(cfg.Window), now.Add(cfg.Lease)
			next.Expires = now.Add(cfg.Window + cfg.Retention)
			return Opening{Step: StepRefresh, Next: next}
		case rep.EventID == rec.EventID && rep.Attempt > rec.Attempt:
			next := rec
			next.Version++
			next.ExecutionID, next.Attempt = rep.ExecutionID, rep.Attempt
			next.WindowEnds, next.LeaseEnds = now.Add(cfg.Window), now.Add(cfg.Lease)
			next.Expires = now.Add(cfg.Window + cfg.Retention)
			return Opening{Step: StepRetake, Next: next}
		case now.Before(rec.LeaseEnds):
			return Opening{Step: StepInFlight}
		}
		return Opening{Step: StepClaim, Reason: ReasonTakeover, Next: claimed(rec, rep, cfg, ReasonTakeover), CountEvent: rec.EventID != rep.EventID}
	case finding.AlertUncertain:
		return Opening{Step: StepClaim, Reason: ReasonResend, Next: resent(rec, rep, cfg), CountEvent: rec.EventID != rep.EventID}
	case finding.AlertResolved:
		if rep.EventID == rec.OpenedByEvent || rep.EventID == rec.EventID {
			return Opening{Step: StepDuplicate}
		}
		return Opening{Step: StepClaim, Reason: ReasonReopen, Next: claimed(rec, rep, cfg, ReasonReopen), CountEvent: true}
	}
	// Open.
	switch {
	case rep.EventID == rec.EventID || rep.EventID == rec.OpenedByEvent:
		return Opening{Step: StepDuplicate}
	case now.Before(rec.WindowEnds):
		next := rec
		next.Version++
		next.Events++
		next.Repeats++
		next.LastSeen = later(rec.LastSeen, rep.Time)
		return Opening{Step: StepRepeat, Next: next}
	}
	return Opening{Step: StepClaim, Reason: ReasonReminder, Next: claimed(rec, rep, cfg, ReasonReminder), CountEvent: true}
}

// claimed is the pending record rep's claim writes in place of rec.
func claimed(rec Record, rep Report, cfg Config, reason ClaimReason) Record {
	now := rep.Now
	next := Record{
		Key: rep.Key, Exists: true, Version: rec.Version + 1,
		Status: finding.AlertPending, Claim: reason,
		EventID: rep.EventID, ExecutionID: rep.ExecutionID, Attempt: rep.Attempt,
		LeaseEnds: now.Add(cfg.Lease), WindowEnds: now.Add(cfg.Window), Expires: now.Add(cfg.Window + cfg.Retention),
		ClaimedAt: now, ID: AlertID(rep.Key, rep.EventID), FirstSeen: rep.Time, LastSeen: rep.Time, Events: 1,
		OpenedBy: rep.Actor, OpenedByEvent: rep.EventID,
		Severity: rep.Severity, Account: rep.Account, Region: rep.Region, EventName: rep.EventName,
		Summary: rep.Summary, Resources: rep.Resources,
		Exposure: rep.Lines, Open: rep.Lines, Indexed: Index(rep.Lines),
	}
	switch reason {
	case ReasonReminder:
		// The same alert, still open: it keeps its id and history.
		next.ID = cmp.Or(rec.ID, AlertID(rec.Key, rec.OpenedByEvent))
		next.FirstSeen, next.LastSeen = rec.FirstSeen, later(rec.LastSeen, rep.Time)
		next.Events, next.Repeats = rec.Events+1, rec.Repeats
		next.OpenedBy, next.OpenedByEvent = rec.OpenedBy, rec.OpenedByEvent
		next.OpeningMessageID = rec.OpeningMessageID
		next.Exposure = rec.Exposure
		if len(next.Exposure) == 0 {
			next.Exposure = rep.Lines
		}
		next.Indexed = Index(append(append([]Line(nil), next.Exposure...), rep.Lines...))
	case ReasonTakeover:
		if rec.EventID != rep.EventID {
			next.Events = rec.Events + 1
		} else {
			next.Events = max(rec.Events, 1)
		}
	}
	return next
}

// resent is the pending record rep's claim to resend the uncertain alert
// rec writes: the same alert (id, history, exposure), held by rep's event
// and execution with a new window and lease, still counting its uncertain
// publishes (so its message says it may be a repeat).
func resent(rec Record, rep Report, cfg Config) Record {
	now := rep.Now
	next := rec
	next.Version++
	next.Status, next.Claim = finding.AlertPending, ReasonResend
	next.EventID, next.ExecutionID, next.Attempt = rep.EventID, rep.ExecutionID, rep.Attempt
	next.LeaseEnds, next.WindowEnds, next.Expires = now.Add(cfg.Lease), now.Add(cfg.Window), now.Add(cfg.Window+cfg.Retention)
	next.ClaimedAt, next.LastSeen = now, later(rec.LastSeen, rep.Time)
	if rec.EventID != rep.EventID {
		next.Events++
	}
	return next
}

// Held returns r, a record just claimed for an alert held for the digest
// digestID, as stored: open at once (the digest, not notify, tells about
// it), no lease.
func (r Record) Held(digestID string) Record {
	r.Status = finding.AlertOpen
	r.LeaseEnds = time.Time{}
	r.DigestID = digestID
	return r
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// cut cuts s to at most n bytes on a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
