package alert

import (
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// MachineProtocols are the SNS subscription protocols that get a message's
// Document; every other protocol (email, email-json, http, sms, ...) gets
// "default", the text (Body). See
// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
// (MessageStructure json: a "default" string, and a string per protocol
// that should get another message than the default).
var MachineProtocols = []string{"sqs", "https", "lambda"}

// Structured returns m as the Message of an SNS Publish with
// MessageStructure json: {"default": Body, "sqs": Document, "https":
// Document, "lambda": Document}. A message without a Document is
// {"default": Body}.
func Structured(m Message) string {
	s := map[string]string{"default": m.Body}
	if m.Document != nil {
		for _, p := range MachineProtocols {
			s[p] = string(m.Document)
		}
	}
	return string(marshal(s))
}

// structuredReserve is room kept in SNS's message quota besides the
// subject, the attributes as given, the text and the documents: for the
// structured message's own keys and quotes, with a margin. Attributes must
// be set before WithFormats.
const structuredReserve = 1 << 10

// documentBudget is how many bytes each copy of m's Document may take,
// JSON-encoded, so that Structured(m), the subject and the attributes fit
// SNS's message quota.
func documentBudget(m Message) int {
	used := len(m.Subject) + jsonLen(m.Body) + structuredReserve
	for k, v := range m.Attributes {
		used += len(k) + len("String") + len(v)
	}
	return (deployment.Facts.Quotas.SNSMessageBytes.Value - used) / len(MachineProtocols)
}

// WithFormats returns m, the text rendering of req (its subject, body and
// attributes), with its renderings for machines (Document) and for chat
// (Chat). Messages about one alert share an id (the lifecycle's alert id,
// or the alert key of the finding before dedupe keeps lifecycles): the
// document's id and the chat's thread. It never fails.
func WithFormats(req finding.NotifyRequest, m Message) Message {
	id := messageID(req)
	m.Document = renderDocument(req, m, id, documentBudget(m))
	m.Chat = chat(req, m, id)
	return m
}

// messageID names what req is about: its alert, its digest, or the alert
// key of its finding.
func messageID(req finding.NotifyRequest) string {
	switch {
	case req.Alert != nil && req.Alert.ID != "":
		return req.Alert.ID
	case req.Digest != nil:
		return req.Digest.ID
	case req.Finding != nil:
		return finding.AlertKey(req.Finding)
	}
	return ""
}
