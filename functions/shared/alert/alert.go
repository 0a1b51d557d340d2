// Package alert turns a finding into the message trailwatch sends: a subject
// that SNS (and e-mail clients) accept, a plain-text body a security engineer
// can act on, attributes for SNS subscription filter policies, a versioned
// JSON document for machine subscribers (document.go) and an AWS Chatbot
// custom notification for chat channels (chat.go); structured.go lays them
// out for SNS's per-protocol messages. Every kind of message has the three
// renderings: Render makes an alert without a lifecycle; Open (an alert
// with its lifecycle), Closure (its update or resolution, lifecycle.go)
// and Digest (a storm's digest, digest.go) make the text, which
// WithFormats completes with the other two.
//
// It is domain code: it imports no AWS SDK, does no I/O and never fails.
// Rendering is deterministic, so the output is checked against golden
// files. A body holds only the finding's own fields, never a raw event.
package alert

import (
	"strconv"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Message is a rendered alert.
type Message struct {
	// Subject is valid for SNS: see SanitizeSubject.
	Subject string
	// Body is plain UTF-8 text without control characters other than
	// newlines, at most MaxBodyBytes long.
	Body string
	// Attributes are SNS message attributes of type String, keyed by the
	// names in the Attr constants. An attribute whose value would be empty
	// is left out, since SNS rejects empty values.
	Attributes map[string]string
	// Document is the message for machine subscribers: a JSON document of
	// schema DocumentSchema, sized so that Structured(m) fits SNS's message
	// quota with the subject and attributes. Nil for a Message that
	// WithFormats did not complete; Structured then sends Body to all.
	Document []byte
	// Chat is the AWS Chatbot custom notification of the message (see
	// chat.go); nil for a Message that WithFormats did not complete.
	Chat []byte
}

// Attribute names, for SNS subscription filter policies.
const (
	AttrSeverity      = "severity"       // "low", "medium", "high" (or "none")
	AttrEventName     = "event_name"     // e.g. "AuthorizeSecurityGroupIngress"
	AttrEventSource   = "event_source"   // e.g. "ec2.amazonaws.com"
	AttrAccount       = "account"        // the account id
	AttrRegion        = "region"         // e.g. "us-east-1"
	AttrCategory      = "category"       // "network", "load-balancer", "data"
	AttrResourceType  = "resource_type"  // type of the first resource, e.g. "ec2:security-group"
	AttrOpensExposure = "opens_exposure" // "true" or "false"
	AttrStatus        = "status"         // "open" (an alert, or an update of one), "resolved", "digest"
	AttrAlertID       = "alert_id"       // the alert's id, the same on every message about one alert
	// AttrPossibleRepeat is "true" on a message that may be a second copy
	// (an earlier publish's outcome was unknown); absent otherwise.
	AttrPossibleRepeat = "possible_repeat"
	// AttrConfirmed is "false" on an alert whose exposure enrichment could
	// not confirm (judged from the request alone); absent otherwise.
	AttrConfirmed = "confirmed"
)

// PossibleRepeatMark starts the subject of a message that may be a second
// copy.
const PossibleRepeatMark = "[POSSIBLE REPEAT] "

// Limits of a rendered message.
const (
	// MaxSubjectLen is the longest subject SNS accepts (less than 100).
	MaxSubjectLen = 99
	// MaxBodyBytes bounds the body well under SNS's 256 KiB message limit.
	MaxBodyBytes = 64 << 10
	// maxAttrLen bounds an attribute value.
	maxAttrLen = 256
)

// Render returns the alert for f in its three renderings (see
// WithFormats). It never fails and never panics; fields of f that are
// empty are left out of the message. f must not be nil; a finding whose
// severity is not Known is rendered "[UNRATED]", which notify never sends.
func Render(f *finding.Finding) Message {
	return WithFormats(finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f}, text(f))
}

// text is the text rendering of f's alert: its subject, body and
// attributes.
func text(f *finding.Finding) Message {
	return Message{Subject: subject(f), Body: body(f), Attributes: attributes(f)}
}

func attributes(f *finding.Finding) map[string]string {
	attrs := map[string]string{AttrOpensExposure: strconv.FormatBool(f.OpensExposure)}
	set := func(k, v string) {
		if v = oneLine(v, maxAttrLen); v != "" {
			attrs[k] = v
		}
	}
	set(AttrSeverity, string(f.Severity))
	set(AttrEventName, f.EventName)
	set(AttrEventSource, f.EventSource)
	set(AttrAccount, f.Account)
	set(AttrRegion, f.Region)
	set(AttrCategory, string(f.Category))
	if len(f.Resources) > 0 {
		set(AttrResourceType, string(f.Resources[0].Type))
	}
	if f.Unconfirmed != nil {
		attrs[AttrConfirmed] = "false"
	}
	return attrs
}
