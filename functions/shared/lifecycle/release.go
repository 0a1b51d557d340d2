package lifecycle

import (
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Release returns what giving back the opening claim of eventID (notify
// failed) makes of rec, so that a retry of the event claims again: for a
// new, taken-over or re-opened claim, nothing (remove: the record is
// deleted, as if never claimed); for a reminder, the open alert as it was,
// its window ended, the released event no longer counted. ok is false
// when eventID holds no pending claim of rec.
func Release(rec Record, eventID string, now time.Time) (next Record, remove, ok bool) {
	if !rec.Exists || rec.Status != finding.AlertPending || rec.EventID != eventID {
		return Record{}, false, false
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
