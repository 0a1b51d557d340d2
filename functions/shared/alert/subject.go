package alert

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// fallbackSubject replaces a subject with nothing printable in it.
const fallbackSubject = "trailwatch alert"

// SanitizeSubject returns s as a subject SNS accepts: printable ASCII only
// (letters with diacritics and common typographic punctuation
// transliterated, other characters replaced by "?", invisible ones
// dropped), every run of whitespace or line breaks collapsed into one space,
// no leading or trailing space, at most MaxSubjectLen characters (cut on a
// word boundary where there is one, ending in "..."), and never empty. A
// valid subject is returned unchanged, so SanitizeSubject is idempotent.
func SanitizeSubject(s string) string {
	s = truncate(asciiLine(s), MaxSubjectLen)
	if s == "" {
		return fallbackSubject
	}
	return s
}

// asciiLine transliterates s to printable ASCII on one line, with single
// spaces, trimmed. Runs of characters that have no transliteration become
// one "?".
func asciiLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, unknown := false, false
	emit := func(t string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(t)
	}
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		switch {
		case r >= 0x21 && r <= 0x7E:
			emit(string(r))
			unknown = false
		case unicode.IsSpace(r):
			space, unknown = true, false
		case r < 0x20 || r == 0x7F || unicode.IsControl(r) || isBidiControl(r) ||
			unicode.Is(unicode.Mn, r) || r == 0x00AD:
			// Controls, invisible formatting, combining marks (so a
			// decomposed "e\u0301" reads "e") and soft hyphens: dropped.
		default:
			if t, ok := translit[r]; ok {
				emit(t)
				unknown = false
			} else if !unknown {
				emit("?")
				unknown = true
			}
		}
	}
	return b.String()
}

// truncate cuts the clean ASCII line s to at most max characters (max >= 4),
// ending in "...": at the last space when that keeps at least half the
// room, else in the middle of a word.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	limit := max - len("...")
	cut := limit
	if i := strings.LastIndexByte(s[:limit+1], ' '); i >= limit/2 {
		cut = i
	}
	head := strings.TrimRight(s[:cut], " ,;:")
	if head == "" {
		head = strings.TrimRight(s[:limit], " ")
	}
	return head + "..."
}

// subject renders "[SEVERITY] <what happened> (<account> <region>)". The
// severity and the place always fit; what happened is the richest phrasing
// that fits (see headline).
func subject(f *finding.Finding) string {
	sev := strings.ToUpper(asciiLine(string(f.Severity)))
	if sev == "" {
		sev = "UNRATED"
	}
	prefix := "[" + truncate(sev, 12) + "] "
	where := strings.TrimSpace(asciiLine(f.Account) + " " + asciiLine(f.Region))
	suffix := ""
	if where != "" {
		suffix = " (" + truncate(where, 36) + ")"
	}
	return SanitizeSubject(prefix + headline(f, MaxSubjectLen-len(prefix)-len(suffix)) + suffix)
}

// A phrase says what happened to target (the first resource, or for a
// listener its load balancer, as shortTarget names it). event is true when the phrase may be prefixed
// with the event name ("AllocateAddress: ...").
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
	var first *finding.Resource
	for i := range f.Resources {
		if first == nil || first.Type == finding.TypeListener {
			first = &f.Resources[i]
		}
	}
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

// phrases returns the phrasings of what f did, richest first.
func phrases(f *finding.Finding, ev string) []phrase {
	on := func(s string) func(string) string {
		return func(target string) string {
			if target == "" {
				return s
			}
			return s + " on " + target
		}
	}
	fixed := func(s string) func(string) string { return func(string) string { return s } }
	if f.Failed() {
		code := f.ErrorCode
		return []phrase{
			{say: on(ev + " refused (" + code + ")")},
			{say: on(ev + " refused")},
			{say: fixed(ev + " refused (" + code + ")")},
			{say: fixed(ev + " refused")},
		}
	}
	requested := worldOpen(f.Requested.IngressRules)
	live := ""
	if rules := liveOpenRules(f); len(rules) > 0 {
		live = portList(rules) + " open to the world"
	}
	switch {
	case len(requested) > 0:
		opened := portList(requested) + " opened to the world"
		return []phrase{{say: on(opened), event: true}, {say: fixed(opened), event: true}}
	case f.Requested.Scheme != "":
		created := func(target string) string {
			if target == "" {
				target = "load balancer"
			}
			return f.Requested.Scheme + " load balancer " + target + " created"
		}
		var ps []phrase
		if live != "" {
			ps = append(ps, phrase{say: func(t string) string { return created(t) + ", " + live }, event: true})
		}
		return append(ps, phrase{say: created, event: true})
	case len(f.Requested.Listeners) > 0:
		listeners := strings.Join(f.Requested.Listeners, ", ")
		added := func(target string) string {
			if target == "" {
				return "listener " + listeners + " added"
			}
			return "listener " + listeners + " added to " + target
		}
		var ps []phrase
		if live != "" {
			ps = append(ps, phrase{say: func(t string) string {
				if t == "" {
					return "listener " + listeners + ": " + live
				}
				return "listener " + listeners + " on " + t + ": " + live
			}, event: true})
		}
		return append(ps, phrase{say: added, event: true})
	case f.EventName == "RunInstances" && f.Requested.PublicIP:
		what := func(target string) string {
			if len(f.Resources) > 1 {
				return fmt.Sprintf("%d instances", len(f.Resources))
			}
			return target
		}
		withIP := func(t string) string { return what(t) + " launched with a public IP" }
		if ip := firstOf(f.Requested.PublicIPs); ip != "" {
			withIP = func(t string) string { return what(t) + " launched with public IP " + ip }
		}
		var ps []phrase
		if live != "" {
			ps = append(ps,
				phrase{say: func(t string) string { return withIP(t) + ", " + live }, event: true},
				phrase{say: func(t string) string { return what(t) + " launched with " + live }, event: true})
		}
		return append(ps, phrase{say: withIP, event: true})
	case f.EventName == "AllocateAddress":
		ip := firstOf(f.Requested.PublicIPs)
		return []phrase{{say: fixed("Elastic IP " + ip + " allocated"), event: true}, {say: fixed("Elastic IP allocated"), event: true}}
	case f.EventName == "AssociateAddress":
		ip := firstOf(f.Requested.PublicIPs)
		for _, r := range f.Resources {
			if ip == "" && r.Type == finding.TypeElasticIP {
				ip = firstOf(r.PublicIPs)
			}
		}
		to := attachedTarget(f)
		associated := func(t string) string {
			addr := ip
			if addr == "" {
				addr = t
			}
			if to == "" {
				return "Elastic IP " + addr + " associated"
			}
			return "Elastic IP " + addr + " associated with " + to
		}
		var ps []phrase
		if live != "" {
			ps = append(ps, phrase{say: func(t string) string { return associated(t) + ", " + live }, event: true})
			if to != "" {
				ps = append(ps, phrase{say: fixed(to + " now public with " + live), event: true})
			}
		}
		return append(ps, phrase{say: associated, event: true})
	case f.Category == finding.CategoryData:
		return []phrase{{say: func(t string) string {
			if t == "" {
				return "data written to a watched bucket"
			}
			return t + " written"
		}, event: true}}
	}
	var ps []phrase
	if live != "" {
		ps = append(ps, phrase{say: on(live), event: true})
	}
	return append(ps, phrase{say: on(ev)})
}

// shortTarget names r in the subject in at most max characters: an object
// as s3://bucket/key (shortened in the middle of the key, keeping its end),
// a load balancer by name, anything else by id (shortened at the end).
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
	case finding.TypeLoadBalancer:
		if r.Name != "" {
			t = asciiLine(r.Name)
		}
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
		case r.FromPort == -1 || (r.FromPort <= 0 && r.ToPort >= 65535):
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

// translit spells common non-ASCII letters and punctuation in ASCII.
var translit = func() map[rune]string {
	m := map[rune]string{}
	for _, g := range []struct{ from, to string }{
		{"ÀÁÂÃÄÅĀĂĄ", "A"}, {"àáâãäåāăą", "a"}, {"Æ", "AE"}, {"æ", "ae"},
		{"ÇĆĈĊČ", "C"}, {"çćĉċč", "c"}, {"ÐĎĐ", "D"}, {"ðďđ", "d"},
		{"ÈÉÊËĒĔĖĘĚ", "E"}, {"èéêëēĕėęě", "e"}, {"ĜĞĠĢ", "G"}, {"ĝğġģ", "g"},
		{"ĤĦ", "H"}, {"ĥħ", "h"}, {"ÌÍÎÏĨĪĬĮİ", "I"}, {"ìíîïĩīĭįı", "i"},
		{"Ĳ", "IJ"}, {"ĳ", "ij"}, {"Ĵ", "J"}, {"ĵ", "j"}, {"Ķ", "K"}, {"ķĸ", "k"},
		{"ĹĻĽĿŁ", "L"}, {"ĺļľŀł", "l"}, {"ÑŃŅŇŊ", "N"}, {"ñńņňŉŋ", "n"},
		{"ÒÓÔÕÖØŌŎŐ", "O"}, {"òóôõöøōŏő", "o"}, {"Œ", "OE"}, {"œ", "oe"},
		{"ŔŖŘ", "R"}, {"ŕŗř", "r"}, {"ŚŜŞŠ", "S"}, {"śŝşšſ", "s"}, {"ß", "ss"},
		{"ŢŤŦ", "T"}, {"ţťŧ", "t"}, {"Þ", "Th"}, {"þ", "th"},
		{"ÙÚÛÜŨŪŬŮŰŲ", "U"}, {"ùúûüũūŭůűų", "u"}, {"Ŵ", "W"}, {"ŵ", "w"},
		{"ÝŶŸ", "Y"}, {"ýÿŷ", "y"}, {"ŹŻŽ", "Z"}, {"źżž", "z"},
		{"‘’‚‛′´", "'"}, {"“”„‟″«»", `"`}, {"‐‑‒–—―−", "-"}, {"…", "..."},
		{"•·", "*"}, {"×", "x"}, {"÷", "/"}, {"©", "(c)"}, {"®", "(R)"},
		{"™", "TM"}, {"€", "EUR"}, {"°", "deg"}, {"¿", "?"}, {"¡", "!"},
	} {
		for _, r := range g.from {
			m[r] = g.to
		}
	}
	return m
}()
