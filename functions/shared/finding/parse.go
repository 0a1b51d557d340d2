package finding

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CloudTrail detail types that EventBridge gives CloudTrail events.
const (
	DetailTypeAPICall      = "AWS API Call via CloudTrail"
	DetailTypeConsoleLogin = "AWS Console Sign In via CloudTrail"
	DetailTypeServiceEvent = "AWS Service Event via CloudTrail"
)

// envelope is the EventBridge event around a CloudTrail record.
type envelope struct {
	DetailType *string         `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	Detail     json.RawMessage `json:"detail"`
}

// Parse reads one CloudTrail event, either inside its EventBridge envelope or
// as a bare CloudTrail record, and returns its finding with Severity set
// from the request alone.
//
// Errors, always returned unwrapped:
//   - *MalformedEventError: not JSON, not an object, a required field
//     (eventID, eventName, eventSource, eventTime, awsRegion, the account)
//     missing or of the wrong type, or request parameters that do not have
//     the shape the event's catalog entry reads.
//   - *UnsupportedEventError: a well-formed event that is not in the catalog,
//     or an envelope whose detail-type is not a CloudTrail one.
//
// Parse never panics, whatever data holds.
func Parse(data []byte) (*Finding, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, &MalformedEventError{Reason: "event is not a JSON object"}
	}
	if referenceDecode {
		return decodeEvent(data)
	}
	if f, err, done := parseFast(data); done {
		return f, err
	}
	return decodeEvent(data)
}

// decodeEvent is Parse with encoding/json: the path for what the one-pass
// path (parseFast) leaves to it, and the reference it is tested against.
func decodeEvent(data []byte) (*Finding, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &MalformedEventError{Reason: "invalid JSON", Err: err}
	}
	raw := data
	if env.DetailType != nil {
		switch *env.DetailType {
		case DetailTypeAPICall, DetailTypeConsoleLogin, DetailTypeServiceEvent:
		default:
			return nil, &UnsupportedEventError{DetailType: *env.DetailType}
		}
		if len(env.Detail) == 0 || string(env.Detail) == "null" {
			return nil, &MalformedEventError{Reason: "envelope has no detail"}
		}
		raw = env.Detail
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, &MalformedEventError{Reason: "invalid CloudTrail record", Err: err}
	}
	if rec.EventID == "" && rec.Records != nil {
		return nil, errLogFile()
	}
	if rec.RecipientAccountID == "" {
		rec.RecipientAccountID = env.Account
	}
	if rec.AWSRegion == "" {
		rec.AWSRegion = env.Region
	}
	return parseRecord(&rec)
}

// errLogFile is the error of a whole CloudTrail log file given as one
// event.
func errLogFile() error {
	return &MalformedEventError{Reason: "a CloudTrail log file, not one event (read it with ParseLog)"}
}

// parseRecord validates rec, finds its catalog entry and builds the finding.
func parseRecord(rec *record) (*Finding, error) {
	if err := validate(rec); err != nil {
		return nil, err
	}
	entry, ok := Lookup(rec.EventSource, rec.EventName)
	if !ok {
		return nil, &UnsupportedEventError{EventSource: rec.EventSource, EventName: rec.EventName}
	}
	t, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil {
		return nil, &MalformedEventError{Reason: "eventTime is not RFC 3339", Err: err}
	}
	f := &Finding{
		EventID:      rec.EventID,
		EventName:    rec.EventName,
		EventSource:  rec.EventSource,
		EventVersion: rec.EventVersion,
		Account:      account(rec),
		Region:       rec.AWSRegion,
		Time:         t.UTC(),
		Actor:        actor(rec),
		ErrorCode:    rec.ErrorCode,
		ErrorMessage: rec.ErrorMessage,
		Category:     entry.Category,
		Resources:    []Resource{},
	}
	if err := entry.parse(rec, f); err != nil {
		if errors.Is(err, errNotHeartbeat) {
			return nil, &UnsupportedEventError{EventSource: rec.EventSource, EventName: rec.EventName}
		}
		var m *MalformedEventError
		if errors.As(err, &m) {
			m.Reason = fmt.Sprintf("%s %s: %s", rec.EventSource, rec.EventName, m.Reason)
			return nil, m
		}
		return nil, &MalformedEventError{Reason: rec.EventName, Err: err}
	}
	if f.Failed() {
		f.OpensExposure, f.ClosesExposure = false, false
	}
	f.Severity = Assess(f)
	f.Summary = summarize(f)
	bound(f)
	return f, nil
}

func validate(rec *record) error {
	if reason := missing(rec.EventID != "", rec.EventName != "", rec.EventSource != "", rec.EventTime != "", rec.AWSRegion != "", account(rec) != ""); reason != "" {
		return &MalformedEventError{Reason: reason}
	}
	return nil
}

// missing names the first required field a record lacks, given whether it
// has each; "" when it has them all.
func missing(eventID, eventName, eventSource, eventTime, region, account bool) string {
	switch {
	case !eventID:
		return "missing eventID"
	case !eventName:
		return "missing eventName"
	case !eventSource:
		return "missing eventSource"
	case !eventTime:
		return "missing eventTime"
	case !region:
		return "missing awsRegion"
	case !account:
		return "missing recipientAccountId"
	}
	return ""
}

func account(rec *record) string {
	if rec.RecipientAccountID != "" {
		return rec.RecipientAccountID
	}
	if rec.UserIdentity != nil {
		return rec.UserIdentity.AccountID
	}
	return ""
}

func actor(rec *record) Actor {
	a := Actor{SourceIP: rec.SourceIPAddress, UserAgent: rec.UserAgent, VPCEndpointID: rec.VPCEndpointID}
	u := rec.UserIdentity
	if u == nil {
		return a
	}
	a.Type, a.ARN, a.AccountID, a.PrincipalID = u.Type, u.ARN, u.AccountID, u.PrincipalID
	a.UserName, a.InvokedBy = u.UserName, u.InvokedBy
	if u.SessionContext != nil && u.SessionContext.SessionIssuer != nil {
		a.SessionIssuer = u.SessionContext.SessionIssuer.ARN
		if a.UserName == "" {
			a.UserName = u.SessionContext.SessionIssuer.UserName
		}
	}
	if a.UserName == "" && u.OnBehalfOf != nil {
		a.UserName = u.OnBehalfOf.UserID
	}
	return a
}

// addResource appends r to f's resources. When r.ID is empty it appends
// nothing and returns a *MalformedEventError whose reason is missing: what
// the request lacks.
func addResource(f *Finding, r Resource, missing string) error {
	if r.ID == "" {
		return &MalformedEventError{Reason: missing}
	}
	f.Resources = append(f.Resources, r)
	return nil
}
