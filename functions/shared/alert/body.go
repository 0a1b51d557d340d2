package alert

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Bounds that keep a body readable (and under MaxBodyBytes) whatever the
// finding holds.
const (
	maxValueLen     = 300 // runes of one field value
	maxSummaryLen   = 1000
	maxResources    = 25 // resources listed in full
	maxListItems    = 20 // rules, groups or IPs listed per field
	maxLinks        = 40
	labelWidth      = 20
	encodedAuthNote = "Encoded authorization failure message:"
)

// body renders the plain-text body: the summary, then what happened, who,
// where, what is exposed, links and what to do.
func body(f *finding.Finding) string {
	w := &writer{}
	summary := f.Summary
	if summary == "" {
		summary = fmt.Sprintf("%s called %s", f.Actor.Name(), f.EventName)
	}
	w.line(oneLine(summary, maxSummaryLen))
	w.blank()
	w.field("", "Severity", strings.ToUpper(string(f.Severity)))
	w.field("", "Opens exposure", yesNo(f.OpensExposure))
	if f.Unconfirmed != nil {
		w.line("Exposure not confirmed: " + oneLine(f.Unconfirmed.Reason(), finding.MaxReasonBytes) + " (judged from the request alone)")
	}
	if c := f.Consistency; c != nil && c.WaitedSeconds > 0 {
		line := fmt.Sprintf("Looked up %d times over %d s: the live state did not show the change at once", c.Looks, c.WaitedSeconds)
		if c.Reason != "" {
			line += " (still " + oneLine(c.Reason, maxAttrLen) + ")"
		}
		w.line(line)
	}
	if f.ClosesExposure {
		w.field("", "Closes exposure", "yes, once the live state confirms it")
	}

	w.section("What happened")
	w.field("  ", "Event", eventLabel(f))
	if !f.Time.IsZero() {
		w.field("  ", "Time", f.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if f.Failed() {
		w.field("  ", "Result", "attempted, refused: "+f.ErrorCode)
		w.field("  ", "Error message", errorMessage(f.ErrorMessage))
	} else {
		w.field("  ", "Result", "succeeded")
	}
	w.field("  ", "Event ID", f.EventID)

	w.section("Who")
	a := f.Actor
	w.field("  ", "Type", a.Type)
	w.field("  ", "Identity", a.ARN)
	if a.UserName != "" && !strings.Contains(a.ARN, a.UserName) {
		w.field("  ", "User name", a.UserName)
	}
	w.field("  ", "Session issuer", a.SessionIssuer)
	if a.AccountID != "" && a.AccountID != f.Account {
		w.field("  ", "Actor account", a.AccountID+" (another account)")
	}
	w.field("  ", "Invoked by", a.InvokedBy)
	w.field("  ", "Source IP", a.SourceIP)
	w.field("  ", "User agent", a.UserAgent)
	w.field("  ", "VPC endpoint", a.VPCEndpointID)

	w.section("Where")
	w.field("  ", "Account", f.Account)
	w.field("  ", "Region", f.Region)

	w.section("What is exposed")
	if f.Failed() {
		w.line("  Nothing: the call was refused. Below is what it named and attempted.")
	}
	if !f.Enriched {
		w.line("  Not enriched: the facts below are from the request only; the resources were not looked up.")
	}
	if len(f.Resources) == 0 {
		w.line("  No resource is named by the event.")
	}
	for i, r := range f.Resources {
		if i == maxResources {
			w.line(fmt.Sprintf("  ... and %d more resources", len(f.Resources)-maxResources))
			break
		}
		resource(w, f, r)
	}
	requested(w, f)

	w.section("Links")
	for _, l := range links(f) {
		w.line("  " + l.Label + ": " + l.URL)
	}

	w.section("What to do")
	for _, a := range advice(f) {
		w.line("  - " + a)
	}

	return boundBody(w.String())
}

// truncatedMark ends a body cut to MaxBodyBytes.
const truncatedMark = "\n[truncated]\n"

// boundBody cuts out, on a character boundary, so that it is at most
// MaxBodyBytes long both as is and JSON-encoded (as it travels in SNS's
// structured message), ending in truncatedMark when cut.
func boundBody(out string) string {
	if jsonLen(out) <= MaxBodyBytes {
		return out
	}
	room := MaxBodyBytes - jsonLen(truncatedMark)
	used, end := 0, 0
	for end < len(out) {
		_, size := utf8.DecodeRuneInString(out[end:])
		n := jsonLen(out[end : end+size])
		if used+n > room {
			break
		}
		used += n
		end += size
	}
	return out[:end] + truncatedMark
}

// eventLabel names f's event: "RevokeSecurityGroupIngress
// (ec2.amazonaws.com)".
func eventLabel(f *finding.Finding) string {
	if f.EventSource == "" {
		return f.EventName
	}
	return f.EventName + " (" + f.EventSource + ")"
}

// resource writes r's facts: its identity, then (once enriched) its live
// facts, saying "none" rather than leaving out what enrich found absent.
func resource(w *writer, f *finding.Finding, r finding.Resource) {
	head := "  " + typeName(r.Type) + " " + oneLine(r.ID, maxValueLen)
	if name := oneLine(r.Name, maxValueLen); name != "" && name != oneLine(r.ID, maxValueLen) && r.Type != finding.TypeObject {
		head += " (" + name + ")"
	}
	w.line(head)
	const in = "    "
	if r.Found != nil && !*r.Found {
		w.field(in, "Status", "not found when looked up (deleted since, or never created)")
		return
	}
	live := f.Enriched && r.Found != nil
	verdict(w, r)
	networked := r.Type == finding.TypeInstance || r.Type == finding.TypeNetworkInterface ||
		r.Type == finding.TypeSecurityGroup || r.Type == finding.TypeLoadBalancer || r.Type == finding.TypeElasticIP
	if !networked {
		return
	}
	w.list(in, "Security groups", r.SecurityGroups, "")
	rules := make([]string, 0, len(r.OpenIngress))
	for _, rule := range r.OpenIngress {
		s := rule.String()
		if rule.SecurityGroupID != "" && r.Type != finding.TypeSecurityGroup {
			s += " (" + rule.SecurityGroupID + ")"
		}
		rules = append(rules, s)
	}
	none := ""
	if live || (f.Enriched && r.Type == finding.TypeLoadBalancer) {
		none = "none"
	}
	w.list(in, "World-open ingress", rules, none)
	ipLabel := "Public IPs"
	if r.Type == finding.TypeSecurityGroup {
		ipLabel = "Public IPs in group"
	}
	if r.Type == finding.TypeLoadBalancer {
		w.field(in, "Scheme", r.Scheme)
		w.field(in, "DNS name", oneLine(r.DNSName, maxValueLen))
		listenersNone := ""
		if live {
			listenersNone = "none"
		}
		w.list(in, "Listeners", r.Listeners, listenersNone)
	} else {
		ipNone := ""
		if live {
			ipNone = "none"
		}
		w.list(in, ipLabel, r.PublicIPs, ipNone)
	}
	if r.AttachedTo != "" {
		w.field(in, "Attached to", r.AttachedTo)
	} else if live && r.Type == finding.TypeElasticIP {
		w.field(in, "Attached to", "nothing")
	}
}

// verdict writes enrich's live verdict on r: reachable or not, why (one
// line per condition), what it reaches, who a share goes to, its tags.
func verdict(w *writer, r finding.Resource) {
	const in = "    "
	if len(r.Tags) > 0 {
		tags := make([]string, 0, len(r.Tags))
		for _, k := range sortedKeys(r.Tags) {
			tags = append(tags, k+"="+r.Tags[k])
		}
		w.list(in, "Tags", tags, "")
	}
	if r.Reachable == nil {
		return
	}
	w.field(in, "Reachable", yesNo(*r.Reachable))
	w.field(in, "Endpoint", r.Endpoint)
	ports := make([]string, 0, len(r.ReachablePorts))
	for _, p := range r.ReachablePorts {
		ports = append(ports, p.String())
	}
	w.list(in, "Reachable ports", ports, "")
	reached := make([]string, 0, len(r.Reaches))
	for _, x := range r.Reaches {
		reached = append(reached, x.String())
	}
	if r.ReachesCount > len(r.Reaches) {
		reached = append(reached, fmt.Sprintf("... and %d more", r.ReachesCount-len(r.Reaches)))
	}
	w.list(in, "Reaches", reached, "")
	w.list(in, "Why", r.Reachability, "")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// requested writes what the call asked for, from f.Requested.
func requested(w *writer, f *finding.Finding) {
	q := f.Requested
	if len(q.IngressRules) == 0 && len(q.RevokedRules) == 0 && !q.PublicIP && len(q.PublicIPs) == 0 &&
		len(q.SecurityGroups) == 0 && q.Scheme == "" && len(q.Listeners) == 0 && !q.PublicAccess &&
		len(q.SharedWith) == 0 && len(q.Unshared) == 0 && len(q.Grants) == 0 && len(q.Routes) == 0 && len(q.Removed) == 0 {
		return
	}
	w.line("  Requested by the call")
	const in = "    "
	w.list(in, "Ingress rules added", ruleLines(q.IngressRules), "")
	w.list(in, "Rules revoked", ruleLines(q.RevokedRules), "")
	w.list(in, "Removed", q.Removed, "")
	switch {
	case len(q.PublicIPs) > 0:
		w.list(in, "Public IP", q.PublicIPs, "")
	case q.PublicIP:
		w.field(in, "Public IP", "requested")
	}
	w.list(in, "Security groups", q.SecurityGroups, "")
	w.field(in, "Scheme", q.Scheme)
	w.list(in, "Listeners", q.Listeners, "")
	w.list(in, "Routes", q.Routes, "")
	if q.PublicAccess {
		w.field(in, "Public access", "yes")
	}
	w.list(in, "Public grants", q.Grants, "")
	w.list(in, "Shared with", q.SharedWith, "")
	w.list(in, "No longer shared", q.Unshared, "")
}

// ruleLines renders rules one per line, marking the world-open ones.
func ruleLines(rules []finding.Rule) []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		s := r.String()
		if r.WorldOpen {
			s += " (world-open)"
		}
		out = append(out, s)
	}
	return out
}

// errorMessage is a refused call's message, without the encoded
// authorization blob EC2 appends (decodable with
// sts:DecodeAuthorizationMessage, useless to read).
func errorMessage(m string) string {
	if i := strings.Index(m, encodedAuthNote); i >= 0 {
		m = strings.TrimSpace(m[:i]) + " (encoded authorization message omitted)"
	}
	return m
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// writer builds the body. Every value goes through oneLine, so nothing in
// the finding can add lines or control characters.
type writer struct{ strings.Builder }

func (w *writer) line(s string) {
	w.WriteString(s)
	w.WriteByte('\n')
}

func (w *writer) blank() { w.WriteByte('\n') }

func (w *writer) section(title string) {
	w.blank()
	w.line(title)
}

// field writes "label: value", aligned; nothing when value is empty.
func (w *writer) field(indent, label, value string) {
	if value = oneLine(value, maxValueLen); value == "" {
		return
	}
	w.line(fmt.Sprintf("%s%-*s %s", indent, labelWidth, label+":", value))
}

// list writes values one per line under an aligned label, at most
// maxListItems of them; none (when not empty) stands for an empty list.
func (w *writer) list(indent, label string, values []string, none string) {
	var clean []string
	for _, v := range values {
		if v = oneLine(v, maxValueLen); v != "" {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		w.field(indent, label, none)
		return
	}
	if len(clean) > maxListItems {
		clean = append(clean[:maxListItems], fmt.Sprintf("... and %d more", len(clean)-maxListItems))
	}
	pad := strings.Repeat(" ", len(indent)+labelWidth+1)
	for i, v := range clean {
		if i == 0 {
			w.field(indent, label, v)
			continue
		}
		w.line(pad + v)
	}
}
