package alert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// A phrase says what happened to the target (the first resource, or for a
// listener its load balancer, as shortTarget names it, or "N <things>" when
// the call names several of its type). event is true when the phrase may be
// prefixed with the event name ("AllocateAddress: ..."). A phrase that says
// "" does not apply to the finding.
type phrase struct {
	say   func(target string) string
	event bool
}

// targetLens are the lengths a target is shortened to, in turn, to make a
// phrase fit. EC2 ids are at most 21 characters, so only ARNs, S3 keys and
// odd input are ever shortened.
var targetLens = []int{64, 40, 28}

// headline returns what happened in at most room characters: the first
// phrase (richest first) that fits, with the event name when that fits
// with the target unshortened, else with the target shortened; failing all,
// the last phrase cut to fit.
func headline(f *finding.Finding, room int) string {
	first, count := headTarget(f)
	ev := asciiLine(f.EventName)
	if ev == "" {
		ev = "API call"
	}
	last := ""
	for _, p := range phrases(f, ev) {
		for i, n := range targetLens {
			target := ""
			if first != nil {
				target = shortTarget(*first, n)
				if count > 1 {
					target = fmt.Sprintf("%d %ss", count, strings.ToLower(typeName(first.Type)[:1])+typeName(first.Type)[1:])
				}
			}
			s := asciiLine(p.say(target))
			if s == "" {
				continue
			}
			if i == 0 && p.event && len(ev)+2+len(s) <= room {
				return ev + ": " + s
			}
			if len(s) <= room {
				return s
			}
			last = s
		}
	}
	return truncate(last, room)
}

// headTarget returns the resource a headline is about, the first one
// that is not a listener (a listener is named by its load balancer) or the
// first, and how many resources of its type the finding names.
func headTarget(f *finding.Finding) (*finding.Resource, int) {
	var first *finding.Resource
	for i := range f.Resources {
		if first == nil || first.Type == finding.TypeListener {
			first = &f.Resources[i]
		}
	}
	if first == nil {
		return nil, 0
	}
	n := 0
	for _, r := range f.Resources {
		if r.Type == first.Type {
			n++
		}
	}
	return first, n
}

// phrases returns the phrasings of what f did, richest first: a refused
// call's; else those of the words of f's catalog entry; then, whatever
// the event, the ports it opened to the world, what enrichment found open
// and the event's name.
func phrases(f *finding.Finding, ev string) []phrase {
	if f.Failed() {
		return refusedPhrases(f, ev)
	}
	values := placeholderValues(f)
	var templates []string
	if w, ok := finding.WordsFor(f); ok {
		templates = w.Headline
	}
	templates = append(templates, genericHeadline...)
	var ps []phrase
	for _, template := range templates {
		ps = append(ps, phrase{say: func(target string) string { return fill(template, target, values) }, event: true})
	}
	return append(ps, phrase{say: on(ev)})
}

// genericHeadline are the phrasings of any event, after its entry's.
var genericHeadline = []string{"{ports} opened to the world on {target}", "{ports} opened to the world", "{live} on {target}", "{live}"}

// on says s "on" the target, or s alone without one.
func on(s string) func(string) string {
	return func(target string) string {
		if target == "" {
			return s
		}
		return s + " on " + target
	}
}

// fixed says s whatever the target.
func fixed(s string) func(string) string { return func(string) string { return s } }

// refusedPhrases: a call that was refused, with its error code if it fits.
func refusedPhrases(f *finding.Finding, ev string) []phrase {
	code := f.ErrorCode
	return []phrase{
		{say: on(ev + " refused (" + code + ")")},
		{say: on(ev + " refused")},
		{say: fixed(ev + " refused (" + code + ")")},
		{say: fixed(ev + " refused")},
	}
}

// fill replaces the placeholders of template with their values, target
// with target; "" when one has no value.
func fill(template, target string, values map[string]string) string {
	out, ok := finding.Fill(template, func(name string) string {
		if name == "target" {
			return target
		}
		return values[name]
	})
	if !ok {
		return ""
	}
	return out
}

// placeholderValues are the values of finding.Placeholders for f, but the
// target, which headline shortens to fit.
func placeholderValues(f *finding.Finding) map[string]string {
	values := map[string]string{}
	for name, value := range placeholderFuncs {
		values[name] = value(f)
	}
	return values
}

// placeholderFuncs say what each of finding.Placeholders stands for, but
// the target (see headline); a test holds them to finding.Placeholders.
var placeholderFuncs = map[string]func(*finding.Finding) string{
	"target":    func(*finding.Finding) string { return "" },
	"ports":     func(f *finding.Finding) string { return portList(worldOpen(f.Requested.IngressRules)) },
	"revoked":   func(f *finding.Finding) string { return portList(worldOpen(f.Requested.RevokedRules)) },
	"live":      liveText,
	"ip":        publicIP,
	"attached":  attachedTarget,
	"vpc":       func(f *finding.Finding) string { return firstOfType(f, finding.TypeVPC) },
	"scheme":    func(f *finding.Finding) string { return f.Requested.Scheme },
	"listeners": func(f *finding.Finding) string { return strings.Join(f.Requested.Listeners, ", ") },
	"routes":    func(f *finding.Finding) string { return strings.Join(f.Requested.Routes, ", ") },
	"grants":    func(f *finding.Finding) string { return strings.Join(f.Requested.Grants, "; ") },
	"shared":    func(f *finding.Finding) string { return grantees(f.Requested.SharedWith) },
	"unshared":  func(f *finding.Finding) string { return grantees(f.Requested.Unshared) },
	"removed":   func(f *finding.Finding) string { return strings.Join(f.Requested.Removed, ", ") },
}

// liveText is what enrichment found open to the world ("22/tcp open to
// the world"), or "".
func liveText(f *finding.Finding) string {
	if rules := liveOpenRules(f); len(rules) > 0 {
		return portList(rules) + " open to the world"
	}
	return ""
}

// publicIP is the first public IP the call named, else the first one
// enrichment found on an Elastic IP it named.
func publicIP(f *finding.Finding) string {
	if ip := firstOf(f.Requested.PublicIPs); ip != "" {
		return ip
	}
	for _, r := range f.Resources {
		if r.Type == finding.TypeElasticIP && len(r.PublicIPs) > 0 {
			return r.PublicIPs[0]
		}
	}
	return ""
}

// grantees names who a share is with: accounts and organizations as
// given, "all" as "everyone".
func grantees(names []string) string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == "all" {
			n = "everyone"
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// firstOfType is the id of f's first resource of type t, shortened, or "".
func firstOfType(f *finding.Finding, t finding.ResourceType) string {
	for _, r := range f.Resources {
		if r.Type == t {
			return shortTarget(r, targetLens[len(targetLens)-1])
		}
	}
	return ""
}

// shortTarget names r in the subject in at most max characters: an object
// as s3://bucket/key (shortened in the middle of the key, keeping its end),
// a bucket as s3://bucket, a load balancer by name, anything else by id
// (shortened at the end).
func shortTarget(r finding.Resource, max int) string {
	t := asciiLine(r.ID)
	switch r.Type {
	case finding.TypeObject, finding.TypeBucket:
		bucket, key := r.ID, ""
		if r.Type == finding.TypeObject {
			bucket, key = splitObject(r)
		}
		head := "s3://" + asciiLine(bucket)
		key = asciiLine(key)
		if key == "" {
			t = head
			break
		}
		head += "/"
		t = head + key
		if room := max - len(head) - len("..."); len(t) > max && room >= 8 {
			return head + "..." + strings.TrimLeft(key[len(key)-room:], " ")
		}
	case finding.TypeLoadBalancer, finding.TypeTrail, finding.TypeFunction:
		t = asciiLine(displayName(r))
	}
	if len(t) > max {
		t = strings.TrimRight(t[:max-3], " ") + "..."
	}
	return t
}

// attachedTarget is what an AssociateAddress call attached its address to.
func attachedTarget(f *finding.Finding) string {
	n := targetLens[len(targetLens)-1]
	for _, r := range f.Resources {
		if r.Type == finding.TypeInstance || r.Type == finding.TypeNetworkInterface {
			return shortTarget(r, n)
		}
	}
	for _, r := range f.Resources {
		if r.AttachedTo != "" {
			return shortTarget(finding.Resource{ID: r.AttachedTo}, n)
		}
	}
	return ""
}

func worldOpen(rules []finding.Rule) []finding.Rule {
	var out []finding.Rule
	for _, r := range rules {
		if r.WorldOpen {
			out = append(out, r)
		}
	}
	return out
}

// liveOpenRules are the world-open rules enrich found on f's resources.
func liveOpenRules(f *finding.Finding) []finding.Rule {
	if !f.Enriched {
		return nil
	}
	var out []finding.Rule
	for _, r := range f.Resources {
		out = append(out, worldOpen(r.OpenIngress)...)
	}
	return out
}

// portList names what rules admit, compactly and without repeats:
// "3389/tcp", "22/tcp, 80/tcp, 443/tcp +2 more", "all traffic".
func portList(rules []finding.Rule) string {
	const shown = 3
	var names []string
	seen := map[string]bool{}
	for _, r := range rules {
		n := portName(r)
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) > shown {
		return strings.Join(names[:shown], ", ") + " +" + strconv.Itoa(len(names)-shown) + " more"
	}
	return strings.Join(names, ", ")
}

// portName is "22/tcp", "1000-2000/udp", "all tcp ports", "all traffic",
// "icmp".
func portName(r finding.Rule) string {
	switch {
	case r.AllTraffic():
		return "all traffic"
	case r.Protocol == "tcp" || r.Protocol == "udp":
		switch {
		case r.AllPorts():
			return "all " + r.Protocol + " ports"
		case r.FromPort == r.ToPort:
			return strconv.Itoa(r.FromPort) + "/" + r.Protocol
		default:
			return strconv.Itoa(r.FromPort) + "-" + strconv.Itoa(r.ToPort) + "/" + r.Protocol
		}
	case r.Protocol == "icmp" || r.Protocol == "icmpv6":
		return r.Protocol
	}
	return "protocol " + r.Protocol
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
