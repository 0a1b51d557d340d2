package alert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

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
	if f.Failed() {
		return refusedPhrases(f, ev)
	}
	live := ""
	if rules := liveOpenRules(f); len(rules) > 0 {
		live = portList(rules) + " open to the world"
	}
	switch {
	case len(worldOpen(f.Requested.IngressRules)) > 0:
		return openedPhrases(f)
	case f.Requested.Scheme != "":
		return loadBalancerPhrases(f, live)
	case len(f.Requested.Listeners) > 0:
		return listenerPhrases(f, live)
	case f.EventName == "RunInstances" && f.Requested.PublicIP:
		return launchPhrases(f, live)
	case f.EventName == "AllocateAddress":
		ip := firstOf(f.Requested.PublicIPs)
		return []phrase{{say: fixed("Elastic IP " + ip + " allocated"), event: true}, {say: fixed("Elastic IP allocated"), event: true}}
	case f.EventName == "AssociateAddress":
		return associatePhrases(f, live)
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

// withLive says what say says followed by ", " and live, what enrich found
// open.
func withLive(say func(string) string, live string) func(string) string {
	return func(t string) string { return say(t) + ", " + live }
}

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

// openedPhrases: the ports the call opened to the world.
func openedPhrases(f *finding.Finding) []phrase {
	opened := portList(worldOpen(f.Requested.IngressRules)) + " opened to the world"
	return []phrase{{say: on(opened), event: true}, {say: fixed(opened), event: true}}
}

// loadBalancerPhrases: a load balancer created, with what is open through
// it.
func loadBalancerPhrases(f *finding.Finding, live string) []phrase {
	created := func(target string) string {
		if target == "" {
			target = "load balancer"
		}
		return f.Requested.Scheme + " load balancer " + target + " created"
	}
	var ps []phrase
	if live != "" {
		ps = append(ps, phrase{say: withLive(created, live), event: true})
	}
	return append(ps, phrase{say: created, event: true})
}

// listenerPhrases: listeners added to a load balancer, with what is open
// through them.
func listenerPhrases(f *finding.Finding, live string) []phrase {
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
}

// launchPhrases: instances launched with a public IP.
func launchPhrases(f *finding.Finding, live string) []phrase {
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
			phrase{say: withLive(withIP, live), event: true},
			phrase{say: func(t string) string { return what(t) + " launched with " + live }, event: true})
	}
	return append(ps, phrase{say: withIP, event: true})
}

// associatePhrases: an Elastic IP associated with an instance or
// interface.
func associatePhrases(f *finding.Finding, live string) []phrase {
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
		ps = append(ps, phrase{say: withLive(associated, live), event: true})
		if to != "" {
			ps = append(ps, phrase{say: fixed(to + " now public with " + live), event: true})
		}
	}
	return append(ps, phrase{say: associated, event: true})
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
