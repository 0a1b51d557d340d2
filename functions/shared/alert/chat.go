package alert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// A Chat message is an AWS Chatbot (Amazon Q Developer in chat
// applications) custom notification, in the event format of
// https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html:
// version "1.0" and source "custom" (both required), an id, content
// (textType client-markdown, the only one the service supports; title,
// description, nextSteps, keywords) and metadata (threadId, which threads
// the messages of one alert in a channel; summary, eventType,
// relatedResources, additionalContext). That page sets no length per
// field; the bounds below are trailwatch's, far under SNS's message quota
// and short enough to read in a channel. Every value that comes from the
// finding goes through chatText.
const (
	ChatVersion  = "1.0"
	ChatSource   = "custom"
	ChatTextType = "client-markdown"
	// ChatEventType prefixes metadata.eventType: "trailwatch.alert",
	// "trailwatch.resolved", ...
	ChatEventType = "trailwatch."

	MaxChatTitle       = 250
	MaxChatDescription = 3000
	MaxChatNextSteps   = 6
	MaxChatStep        = 500
	MaxChatKeywords    = 8
	MaxChatKeyword     = 64
	maxChatLine        = 400
	maxChatLines       = 12
	maxChatResources   = 10
	// MaxChatBytes bounds a rendered chat message as JSON.
	MaxChatBytes = 32 << 10
)

type chatNotification struct {
	Version  string       `json:"version"`
	Source   string       `json:"source"`
	ID       string       `json:"id,omitempty"`
	Content  chatContent  `json:"content"`
	Metadata chatMetadata `json:"metadata"`
}

type chatContent struct {
	TextType    string   `json:"textType"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	NextSteps   []string `json:"nextSteps,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

type chatMetadata struct {
	ThreadID          string            `json:"threadId,omitempty"`
	Summary           string            `json:"summary,omitempty"`
	EventType         string            `json:"eventType"`
	RelatedResources  []string          `json:"relatedResources,omitempty"`
	AdditionalContext map[string]string `json:"additionalContext,omitempty"`
}

// chat renders req, whose text m is, as a chat notification: the subject as
// its title, what happened in its description, what to do and the console
// links as its next steps, and the alert's id as its thread.
func chat(req finding.NotifyRequest, m Message, id string) []byte {
	kind := kindOf(req)
	c := &chatWriter{}
	var steps []string
	context := map[string]string{"kind": string(kind)}
	var resources []string
	f := req.Finding
	switch {
	case kind == finding.MessageDigest && req.Digest != nil:
		steps = c.digest(req.Digest)
		context["account"], context["eventName"] = req.Digest.Account, req.Digest.EventName
	case f != nil:
		if kind == finding.MessageAlert {
			c.finding(f)
		} else {
			c.alert(req.Alert)
			c.line("This event: " + f.Summary)
		}
		steps = advice(f)
		for _, l := range links(f) {
			if len(steps) < MaxChatNextSteps {
				steps = append(steps, "Open "+l.Label+": "+l.URL)
			}
		}
		for _, r := range f.Resources {
			if len(resources) < maxChatResources {
				resources = append(resources, chatText(r.ID, maxChatLine))
			}
		}
		context["account"], context["region"], context["eventName"], context["eventId"] = f.Account, f.Region, f.EventName, f.EventID
	}
	if req.Alert != nil {
		context["alertId"], context["status"] = req.Alert.ID, string(req.Alert.Status)
	}
	if status := m.Attributes[AttrStatus]; status != "" {
		context["status"] = status
	}
	sev := documentSeverity(req)
	context["severity"] = string(sev)
	for k, v := range context {
		if v = chatText(v, MaxChatKeyword*4); v == "" {
			delete(context, k)
		} else {
			context[k] = v
		}
	}
	n := chatNotification{
		Version: ChatVersion,
		Source:  ChatSource,
		ID:      chatText(id, maxChatLine),
		Content: chatContent{
			TextType:    ChatTextType,
			Title:       chatTitle(m.Subject),
			Description: c.String(),
			NextSteps:   chatSteps(steps),
			Keywords:    chatKeywords(kind, sev, f, req.Digest),
		},
		Metadata: chatMetadata{
			ThreadID:          chatText(id, maxChatLine),
			Summary:           chatTitle(m.Subject),
			EventType:         ChatEventType + string(kind),
			RelatedResources:  resources,
			AdditionalContext: context,
		},
	}
	if n.Content.Title == "" {
		n.Content.Title = fallbackSubject
	}
	return marshal(n)
}

// chatTitle is a subject as a chat title: its "[SEVERITY] " (or
// "[DIGEST HIGH] ") prefix written "SEVERITY: ", so that it does not read
// as a link label.
func chatTitle(subject string) string {
	if tag, rest, ok := strings.Cut(subject, "] "); ok && strings.HasPrefix(tag, "[") && len(tag) > 1 &&
		strings.Trim(tag[1:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") == "" {
		subject = tag[1:] + ": " + rest
	}
	return chatText(subject, MaxChatTitle)
}

// chatWriter builds a description: lines of chatText, at most
// maxChatLines and MaxChatDescription runes in all.
type chatWriter struct {
	lines []string
	size  int
}

func (c *chatWriter) line(s string) {
	s = chatText(s, maxChatLine)
	if s == "" || len(c.lines) == maxChatLines {
		return
	}
	n := len([]rune(s)) + 1
	if c.size+n > MaxChatDescription {
		return
	}
	c.size += n
	c.lines = append(c.lines, s)
}

func (c *chatWriter) String() string { return strings.Join(c.lines, "\n") }

// finding describes an alert's finding: what, who, where, what is open.
func (c *chatWriter) finding(f *finding.Finding) {
	c.line(f.Summary)
	c.line("Severity: " + strings.ToUpper(string(f.Severity)) + ", opens exposure: " + yesNo(f.OpensExposure))
	who := f.Actor.Name()
	if f.Actor.SourceIP != "" {
		who += " from " + f.Actor.SourceIP
	}
	c.line("Who: " + who)
	c.line("Where: account " + f.Account + ", " + f.Region)
	when := f.EventName
	if !f.Time.IsZero() {
		when += " at " + f.Time.UTC().Format(chatTime)
	}
	if f.Failed() {
		when += ", refused (" + f.ErrorCode + ")"
	}
	c.line("Event: " + when)
	for _, r := range f.Resources {
		for _, rule := range worldOpen(r.OpenIngress) {
			c.line("Open now: " + rule.String() + " on " + r.ID)
		}
		if len(r.PublicIPs) > 0 {
			c.line("Public IPs of " + r.ID + ": " + strings.Join(r.PublicIPs, ", "))
		}
	}
	for _, rule := range worldOpen(f.Requested.IngressRules) {
		c.line("Opened by the call: " + rule.String())
	}
	for _, g := range f.Requested.Grants {
		c.line("Public grant: " + g)
	}
	if len(f.Requested.SharedWith) > 0 {
		c.line("Shared with: " + strings.Join(f.Requested.SharedWith, ", "))
	}
}

// alert describes an alert's lifecycle, for an update or a resolution.
func (c *chatWriter) alert(a *finding.Alert) {
	if a == nil {
		return
	}
	c.line(fmt.Sprintf("Alert %s, %s; open since %s, %d events (%d repeats)", a.ID, a.Status, a.FirstSeen.UTC().Format(chatTime), a.Events, a.Repeats))
	if a.OpenedBy != "" {
		c.line("Opened by: " + a.OpenedBy)
	}
	if a.ClosedBy != "" {
		c.line("Closed by: " + a.ClosedBy)
	}
	for _, l := range a.Closed {
		c.line("Closed: " + l)
	}
	if a.MoreClosed > 0 {
		c.line(fmt.Sprintf("Closed: %d more", a.MoreClosed))
	}
	for _, l := range a.StillOpen {
		c.line("Still open: " + l)
	}
	if a.MoreStillOpen > 0 {
		c.line(fmt.Sprintf("Still open: %d more", a.MoreStillOpen))
	}
	if a.DigestID != "" {
		c.line("Digest: " + a.DigestID)
	}
}

// digest describes a digest and returns its next steps: the storm, the
// first of its held entries (with their kind when not an opened alert),
// how many went out at once.
func (c *chatWriter) digest(d *finding.Digest) []string {
	held := len(d.Held) + d.MoreHeld
	c.line(fmt.Sprintf("%d messages held back: %s called %s more than %d times in account %s between %s and %s; the first %d went out at once.",
		held, d.Actor, d.EventName, d.Threshold, d.Account, d.PeriodStart.UTC().Format(chatTime), d.PeriodEnd.UTC().Format(chatTime), len(d.Sent)))
	shown := 0
	for _, e := range d.Held {
		if shown == maxChatLines-2 {
			break
		}
		shown++
		what := strings.ToUpper(string(e.Severity)) + " " + e.Region
		if e.Kind != "" && e.Kind != finding.MessageAlert {
			what += " " + kindName(e.Kind)
		}
		c.line(what + ": " + strings.TrimPrefix(e.Summary, d.Actor+" "))
	}
	if held > shown {
		c.line("... and " + strconv.Itoa(held-shown) + " more")
	}
	steps := []string{
		"Check that " + d.Actor + " was expected to call " + d.EventName + " this often; every held alert is in this digest's email and JSON renderings.",
	}
	for _, l := range digestLinks(d) {
		steps = append(steps, "Open "+l.Label+": "+l.URL)
	}
	return steps
}

// chatTime is how chat messages write times.
const chatTime = "2006-01-02 15:04 UTC"

// chatSteps bounds next steps: at most MaxChatNextSteps, each of
// MaxChatStep runes of text made chat text, followed for a console link by
// its URL (at most MaxURLLen), which trailwatch builds with every value
// escaped and keeps as a link.
func chatSteps(steps []string) []string {
	var out []string
	for _, s := range steps {
		if len(out) == MaxChatNextSteps {
			break
		}
		text, u := s, ""
		if i := strings.LastIndex(s, ": https://"); i >= 0 && strings.HasPrefix(s, "Open ") {
			text, u = s[:i], s[i+2:]
		}
		text = chatText(text, MaxChatStep)
		if u != "" {
			text += ": " + u
		}
		if text != "" {
			out = append(out, text)
		}
	}
	return out
}

// chatKeywords are the message's tags: its kind (but for an alert), the
// severity, the event, the category, the account and the region.
func chatKeywords(kind finding.MessageKind, sev finding.Severity, f *finding.Finding, d *finding.Digest) []string {
	var words []string
	if kind != finding.MessageAlert {
		words = append(words, string(kind))
	}
	words = append(words, strings.ToUpper(string(sev)))
	switch {
	case f != nil:
		words = append(words, f.EventName, string(f.Category), f.Account, f.Region)
	case d != nil:
		words = append(words, d.EventName, d.Account)
	}
	var out []string
	for _, w := range words {
		if w = chatText(w, MaxChatKeyword); w != "" && len(out) < MaxChatKeywords {
			out = append(out, w)
		}
	}
	return out
}

// kindOf is req's kind, MessageAlert when empty.
func kindOf(req finding.NotifyRequest) finding.MessageKind {
	if req.Kind == "" {
		return finding.MessageAlert
	}
	return req.Kind
}

// documentSeverity is a message's severity: its finding's, else its
// alert's, else the highest of a digest's held alerts.
func documentSeverity(req finding.NotifyRequest) finding.Severity {
	switch {
	case req.Finding != nil && req.Finding.Severity != "" && kindOf(req) == finding.MessageAlert:
		return req.Finding.Severity
	case req.Alert != nil && req.Alert.Severity != "":
		return req.Alert.Severity
	case req.Finding != nil:
		return req.Finding.Severity
	case req.Digest != nil:
		return digestSeverity(req.Digest)
	}
	return finding.SeverityNone
}
