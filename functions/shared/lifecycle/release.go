package lifecycle

import (
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Release returns what giving back the opening claim of eventID (notify
// failed) makes of rec, so that a retry of the event claims again: for a
// new, taken-over or re-opened claim, nothing (remove: the record is
// deleted, as if never claimed); for a reminder, the open alert as it was,
// its window ended, the released event no longer counted; for a resend,
// the uncertain alert as it was (a publish may still have gone through, so
// the next claim resends it, marked). ok is false when eventID holds no
// pending claim of rec.
func Release(rec Record, eventID string, now time.Time) (next Record, remove, ok bool) {
	if !rec.Exists || rec.Status != finding.AlertPending || rec.EventID != eventID {
		return Record{}, false, false
	}
	if rec.Claim == ReasonResend {
		next = rec
		next.Version++
		next.Status, next.ExecutionID, next.LeaseEnds = finding.AlertUncertain, "", time.Time{}
		return next, false, true
	}
	if rec.Claim != ReasonReminder {
		return Record{}, true, true
	}
	next = rec
	next.Version++
	next.Status = finding.AlertOpen
	next.EventID, next.ExecutionID = rec.OpenedByEvent, ""
	next.LeaseEnds, next.WindowEnds = time.Time{}, now
	next.Events = max(rec.Events-1, 1)
	return next, false, true
}

// ReleaseMessage returns what giving back the pending kind message of
// eventID makes of rec: the alert as it was before the closing event (open,
// its lines restored), so that a retry of the closing event updates or
// resolves it again. ok is false when rec has no such pending message.
func ReleaseMessage(rec Record, kind finding.MessageKind, eventID string) (next Record, ok bool) {
	m := rec.Message
	if !rec.Exists || m == nil || !m.Pending || m.Kind != kind || m.EventID != eventID {
		return Record{}, false
	}
	next = rec
	next.Version++
	next.Open = m.PrevOpen
	next.Message = nil
	if kind == finding.MessageResolved {
		next.Status = finding.AlertOpen
		next.ResolvedAt = time.Time{}
		next.ClosedBy, next.ClosedByEvent = "", ""
	}
	return next, true
}

// MarkUncertain returns what a publish of eventID's pending claim whose
// outcome is unknown (it may have gone through) makes of rec, and what the
// state machine does next: the first time, the record is uncertain (kept,
// not released) and the outcome finding.OutcomeResend (claim it again to
// resend it once, marked as a possible repeat); for a resend, the alert is
// taken as sent (open) and the outcome finding.OutcomeSettled, so it is
// never sent a third time. ok is false when eventID holds no pending claim
// of rec (the outcome is then OutcomeSettled: whoever holds it sends it).
//
// Marking again what eventID already marked (a retry of the mark) writes
// nothing and answers as the first mark did.
func MarkUncertain(rec Record, eventID string) (next Record, outcome finding.DedupeOutcome, ok bool) {
	if rec.Exists && rec.EventID == eventID && rec.Status == finding.AlertUncertain {
		return Record{}, finding.OutcomeResend, false
	}
	if !rec.Exists || rec.Status != finding.AlertPending || rec.EventID != eventID {
		return Record{}, finding.OutcomeSettled, false
	}
	next = rec
	next.Version++
	next.ExecutionID, next.LeaseEnds = "", time.Time{}
	next.Uncertain++
	if rec.Uncertain == 0 {
		next.Status = finding.AlertUncertain
		return next, finding.OutcomeResend, true
	}
	next.Status = finding.AlertOpen
	return next, finding.OutcomeSettled, true
}
