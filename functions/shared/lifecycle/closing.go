package lifecycle

import "github.com/trailwatch/trailwatch/functions/shared/finding"

// Closing steps, besides StepInFlight.
const (
	// StepNone: the closing event changes nothing of this alert.
	StepNone Step = "none"
	// StepResolve: every line the alert still reports open is gone: write
	// Next, resolved, and send a resolution.
	StepResolve Step = "resolve"
	// StepUpdate: some lines are gone, others stand: write Next and send
	// an update.
	StepUpdate Step = "update"
	// StepResend: this execution already made the transition (its answer
	// was lost): send its message again.
	StepResend Step = "resend"
)

// Closing is the decision for a closing event about one alert.
type Closing struct {
	Step Step
	// Kind is the message to send for StepResolve, StepUpdate and
	// StepResend.
	Kind finding.MessageKind
	// Next is the record to write for StepResolve and StepUpdate; the
	// record as it stands for StepResend.
	Next Record
}

// OnClosing decides what the closing finding c, reported as rep, does to rec:
// a pending alert being sent now makes it wait (in flight), an abandoned
// or resolved one is left alone; an open alert whose message another
// execution is sending makes it wait too. Otherwise the lines still open
// are compared with c's live state (Split): all gone resolves the alert,
// some gone updates it, none changes nothing. The message of a resolution
// or update is pending, held by rep's event and execution, until confirmed
// or released.
func OnClosing(rec Record, c *finding.Finding, rep Report, cfg Config) Closing {
	now := rep.Now
	if !rec.Exists {
		return Closing{Step: StepNone}
	}
	if m, live := rec.pendingMessage(now); m != nil {
		switch {
		case m.ExecutionID == rep.ExecutionID && rep.ExecutionID != "" && m.EventID == rep.EventID:
			return Closing{Step: StepResend, Kind: m.Kind, Next: rec}
		case live:
			return Closing{Step: StepInFlight}
		}
	}
	switch rec.Status {
	case finding.AlertPending:
		if now.Before(rec.LeaseEnds) {
			return Closing{Step: StepInFlight}
		}
		return Closing{Step: StepNone}
	case finding.AlertResolved:
		return Closing{Step: StepNone}
	}
	closed, still := Split(rec.Open, c)
	if len(closed) == 0 {
		return Closing{Step: StepNone}
	}
	next := rec
	next.Version++
	next.Message = &Message{EventID: rep.EventID, ExecutionID: rep.ExecutionID, Pending: true,
		LeaseEnds: now.Add(cfg.Lease), PrevOpen: rec.Open, At: now}
	next.Open = still
	next.DigestID = ""
	if len(still) > 0 {
		next.Message.Kind = finding.MessageUpdate
		return Closing{Step: StepUpdate, Kind: finding.MessageUpdate, Next: next}
	}
	next.Message.Kind = finding.MessageResolved
	next.Status = finding.AlertResolved
	next.ResolvedAt = now
	next.ClosedBy, next.ClosedByEvent = rep.Actor, rep.EventID
	return Closing{Step: StepResolve, Kind: finding.MessageResolved, Next: next}
}

// HeldMessage returns r, just transitioned by a closing event whose message
// was held for the digest digestID, as stored: the message settled (the
// digest tells about it).
func (r Record) HeldMessage(digestID string) Record {
	if r.Message != nil {
		m := *r.Message
		m.Pending = false
		r.Message = &m
	}
	r.DigestID = digestID
	return r
}
