package main

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// statusSent is how records written before lifecycles say open.
const statusSent = "sent"

// encodeRecord returns the item of an alert record (see DynamoDB for the
// layout). Empty strings, zero times and empty lists are left out.
func encodeRecord(r lifecycle.Record) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk":          pk(r.Key),
		"ver":         num(r.Version),
		"status":      str(string(r.Status)),
		"events":      num(int64(r.Events)),
		"repeats":     num(int64(r.Repeats)),
		"window_ends": epoch(r.WindowEnds),
		"ttl":         epoch(r.Expires),
	}
	for name, v := range map[string]string{
		"alert_id": r.ID, "claim": string(r.Claim), "event_id": r.EventID, "execution_id": r.ExecutionID,
		"event_name": r.EventName, "opened_by": r.OpenedBy, "opened_by_event": r.OpenedByEvent,
		"closed_by": r.ClosedBy, "closed_by_event": r.ClosedByEvent, "message_id": r.OpeningMessageID,
		"severity": string(r.Severity), "account": r.Account, "region": r.Region, "summary": r.Summary,
		"digest_id":  r.DigestID,
		"first_seen": rfc3339(r.FirstSeen), "last_seen": rfc3339(r.LastSeen), "resolved_at": rfc3339(r.ResolvedAt),
		"claimed_at": rfc3339(r.ClaimedAt), "sent_at": rfc3339(r.SentAt),
	} {
		if v != "" {
			item[name] = str(v)
		}
	}
	if !r.LeaseEnds.IsZero() {
		item["lease_ends"] = epoch(r.LeaseEnds)
	}
	if r.Attempt > 0 {
		item["attempt"] = num(int64(r.Attempt))
	}
	if r.Uncertain > 0 {
		item["uncertain"] = num(int64(r.Uncertain))
	}
	if len(r.Resources) > 0 {
		item["resources"] = encodeResources(r.Resources)
	}
	if len(r.Exposure) > 0 {
		item["exposure"] = encodeLines(r.Exposure)
	}
	if len(r.Open) > 0 {
		item["open"] = encodeLines(r.Open)
	}
	if len(r.Indexed) > 0 {
		item["indexed"] = &types.AttributeValueMemberSS{Value: r.Indexed}
	}
	if m := r.Message; m != nil {
		item["msg_kind"] = str(string(m.Kind))
		item["msg_event"] = str(m.EventID)
		if m.Pending {
			item["msg_execution"] = str(m.ExecutionID)
			item["msg_lease_ends"] = epoch(m.LeaseEnds)
		}
		if len(m.PrevOpen) > 0 {
			item["msg_prev_open"] = encodeLines(m.PrevOpen)
		}
		if m.MessageID != "" {
			item["msg_message_id"] = str(m.MessageID)
		}
		if !m.At.IsZero() {
			item["msg_at"] = str(rfc3339(m.At))
		}
	}
	return item
}

// decodeRecord reads the record of key from item, nil for none; missing or
// malformed attributes stay zero. A record without ver is Legacy, and its
// status "sent" reads as open.
func decodeRecord(key string, item map[string]types.AttributeValue) lifecycle.Record {
	r := lifecycle.Record{Key: key}
	if item == nil {
		return r
	}
	r.Exists = true
	s := func(name string) string { return text(item, name) }
	if _, ok := item["ver"]; ok {
		r.Version = decodeInt(item["ver"])
	} else {
		r.Legacy = true
	}
	r.Status = finding.AlertStatus(s("status"))
	if r.Status == statusSent {
		r.Status = finding.AlertOpen
	}
	r.ID, r.Claim = s("alert_id"), lifecycle.ClaimReason(s("claim"))
	r.EventID, r.ExecutionID, r.EventName = s("event_id"), s("execution_id"), s("event_name")
	r.LeaseEnds, r.WindowEnds, r.Expires = decodeEpoch(item["lease_ends"]), decodeEpoch(item["window_ends"]), decodeEpoch(item["ttl"])
	r.FirstSeen, r.LastSeen, r.ResolvedAt = parseTime(s("first_seen")), parseTime(s("last_seen")), parseTime(s("resolved_at"))
	r.ClaimedAt, r.SentAt = parseTime(s("claimed_at")), parseTime(s("sent_at"))
	r.Events, r.Repeats = int(decodeInt(item["events"])), int(decodeInt(item["repeats"]))
	r.Attempt, r.Uncertain = int(decodeInt(item["attempt"])), int(decodeInt(item["uncertain"]))
	r.OpenedBy, r.OpenedByEvent, r.ClosedBy, r.ClosedByEvent = s("opened_by"), s("opened_by_event"), s("closed_by"), s("closed_by_event")
	r.OpeningMessageID, r.Severity = s("message_id"), finding.Severity(s("severity"))
	r.Account, r.Region, r.Summary, r.DigestID = s("account"), s("region"), s("summary"), s("digest_id")
	r.Resources = decodeResources(item["resources"])
	r.Exposure, r.Open = decodeLines(item["exposure"]), decodeLines(item["open"])
	if v, ok := item["indexed"].(*types.AttributeValueMemberSS); ok {
		r.Indexed = v.Value
	}
	if r.OpenedByEvent == "" {
		// Written before lifecycles: the holder opened it, as one event.
		r.OpenedByEvent = r.EventID
		r.Events = max(r.Events, 1)
	}
	if r.ID == "" && r.OpenedByEvent != "" {
		r.ID = lifecycle.AlertID(key, r.OpenedByEvent)
	}
	if kind := s("msg_kind"); kind != "" {
		m := &lifecycle.Message{Kind: finding.MessageKind(kind), EventID: s("msg_event"), ExecutionID: s("msg_execution"),
			PrevOpen: decodeLines(item["msg_prev_open"]), MessageID: s("msg_message_id"), At: parseTime(s("msg_at"))}
		if _, pending := item["msg_execution"]; pending {
			m.Pending, m.LeaseEnds = true, decodeEpoch(item["msg_lease_ends"])
		}
		r.Message = m
	}
	return r
}

func encodeLines(lines []lifecycle.Line) types.AttributeValue {
	out := make([]types.AttributeValue, 0, len(lines))
	for _, l := range lines {
		m := map[string]types.AttributeValue{"r": str(l.Resource), "f": str(string(l.Facet)), "k": str(l.Key), "t": str(l.Text)}
		if l.Via != "" {
			m["v"] = str(l.Via)
		}
		if r := l.Rule; r != nil {
			m["rule"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"p": str(r.Protocol), "from": num(int64(r.From)), "to": num(int64(r.To)), "s": str(r.Source)}}
		}
		out = append(out, &types.AttributeValueMemberM{Value: m})
	}
	return &types.AttributeValueMemberL{Value: out}
}

func decodeLines(v types.AttributeValue) []lifecycle.Line {
	return decodeList(v, func(m map[string]types.AttributeValue) lifecycle.Line {
		l := lifecycle.Line{Resource: text(m, "r"), Via: text(m, "v"), Facet: lifecycle.Facet(text(m, "f")), Key: text(m, "k"), Text: text(m, "t")}
		if rm, ok := m["rule"].(*types.AttributeValueMemberM); ok {
			l.Rule = &lifecycle.Rule{Protocol: text(rm.Value, "p"), From: int(decodeInt(rm.Value["from"])), To: int(decodeInt(rm.Value["to"])), Source: text(rm.Value, "s")}
		}
		return l
	})
}

func encodeResources(rs []finding.Resource) types.AttributeValue {
	out := make([]types.AttributeValue, 0, len(rs))
	for _, r := range rs {
		out = append(out, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"type": str(string(r.Type)), "id": str(r.ID)}})
	}
	return &types.AttributeValueMemberL{Value: out}
}

func decodeResources(v types.AttributeValue) []finding.Resource {
	return decodeList(v, func(m map[string]types.AttributeValue) finding.Resource {
		return finding.Resource{Type: finding.ResourceType(text(m, "type")), ID: text(m, "id")}
	})
}

// decodeList decodes a list of maps with decode; other elements are left
// out.
func decodeList[T any](v types.AttributeValue, decode func(map[string]types.AttributeValue) T) []T {
	list, ok := v.(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	var out []T
	for _, e := range list.Value {
		if m, ok := e.(*types.AttributeValueMemberM); ok {
			out = append(out, decode(m.Value))
		}
	}
	return out
}

// text is the string attribute name of item, or "".
func text(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func epoch(t time.Time) types.AttributeValue { return num(t.Unix()) }

func decodeInt(v types.AttributeValue) int64 {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0
	}
	return i
}

func decodeEpoch(v types.AttributeValue) time.Time {
	if _, ok := v.(*types.AttributeValueMemberN); !ok {
		return time.Time{}
	}
	return time.Unix(decodeInt(v), 0).UTC()
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
