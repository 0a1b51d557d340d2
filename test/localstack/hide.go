package localstack

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// hiddenSet is what a HideFault keeps out of Describe answers, each until
// a time: resources by the element naming their id, and new security
// group rules.
type hiddenSet struct {
	ids   map[string]time.Time // "element=value", e.g. "instanceId=i-0123"
	ips   map[string]time.Time // instance id whose public IP is new
	rules []hiddenRule
}

// hiddenRule is one new ingress or egress range of a security group.
type hiddenRule struct {
	group, direction           string // direction: "ipPermissions" or "ipPermissionsEgress"
	protocol, fromPort, toPort string
	cidr                       string // IPv4 or IPv6
	until                      time.Time
}

// listOf names the list element a resource's item sits in, by the element
// of its id: a Describe answer's item is hidden only there (an instance's
// groupSet also names groups by groupId).
var listOf = map[string]string{
	"instanceId":          "instancesSet",
	"groupId":             "securityGroupInfo",
	"networkInterfaceId":  "networkInterfaceSet",
	"allocationId":        "addressesSet",
	"securityGroupRuleId": "securityGroupRuleSet",
	"LoadBalancerArn":     "LoadBalancers",
	"ListenerArn":         "Listeners",
}

// createdBy names the id elements of what each creating call makes.
var createdBy = map[string][]string{
	"ec2:RunInstances":                          {"instanceId", "networkInterfaceId"},
	"ec2:CreateSecurityGroup":                   {"groupId"},
	"ec2:CreateNetworkInterface":                {"networkInterfaceId"},
	"ec2:AllocateAddress":                       {"allocationId"},
	"ec2:AuthorizeSecurityGroupIngress":         {"securityGroupRuleId"},
	"ec2:AuthorizeSecurityGroupEgress":          {"securityGroupRuleId"},
	"elasticloadbalancingv2:CreateLoadBalancer": {"LoadBalancerArn"},
	"elasticloadbalancingv2:CreateListener":     {"ListenerArn"},
}

// creates reports whether call makes something a hide keeps out of
// Describe answers.
func creates(call string) bool {
	_, ok := createdBy[call]
	return ok || call == "ec2:AssociateAddress"
}

// record notes what call (answered with body, for the request form) created,
// hidden until until.
func (f *faults) record(call string, form url.Values, body []byte, until time.Time) {
	if !creates(call) {
		return
	}
	elems := createdBy[call]
	root, err := parseXML(body)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hidden.ids == nil {
		f.hidden.ids, f.hidden.ips = map[string]time.Time{}, map[string]time.Time{}
	}
	root.walk(func(n *xmlNode) bool {
		for _, e := range elems {
			if n.name == e && len(n.children) == 0 && n.value() != "" {
				f.hidden.ids[e+"="+n.value()] = until
			}
		}
		return true
	})
	switch call {
	case "ec2:AssociateAddress":
		if id := form.Get("InstanceId"); id != "" {
			f.hidden.ips[id] = until
		}
	case "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress":
		direction := "ipPermissions"
		if call == "ec2:AuthorizeSecurityGroupEgress" {
			direction = "ipPermissionsEgress"
		}
		f.hidden.rules = append(f.hidden.rules, requestedRules(form, direction, until)...)
	}
}

// requestedRules reads the ranges an Authorize call adds from its form
// (GroupId, IpPermissions.N.{IpProtocol,FromPort,ToPort},
// IpPermissions.N.IpRanges.M.CidrIp, IpPermissions.N.Ipv6Ranges.M.CidrIpv6).
func requestedRules(form url.Values, direction string, until time.Time) []hiddenRule {
	var out []hiddenRule
	for n := 1; form.Has(perm(n, "IpProtocol")); n++ {
		base := hiddenRule{
			group: form.Get("GroupId"), direction: direction, until: until,
			protocol: form.Get(perm(n, "IpProtocol")), fromPort: form.Get(perm(n, "FromPort")), toPort: form.Get(perm(n, "ToPort")),
		}
		for _, key := range []string{"IpRanges.%d.CidrIp", "Ipv6Ranges.%d.CidrIpv6"} {
			for m := 1; ; m++ {
				cidr := form.Get(perm(n, strings.Replace(key, "%d", strconv.Itoa(m), 1)))
				if cidr == "" {
					break
				}
				r := base
				r.cidr = cidr
				out = append(out, r)
			}
		}
	}
	return out
}

func perm(n int, field string) string { return "IpPermissions." + strconv.Itoa(n) + "." + field }

// requestedBy names, by Describe call, the request parameter listing the
// ids it asks for, their id element, and the error AWS answers when one of
// them does not exist (yet).
var requestedBy = map[string]struct{ param, elem, code, what string }{
	"ec2:DescribeInstances":                        {"InstanceId.", "instanceId", "InvalidInstanceID.NotFound", "instance ID"},
	"ec2:DescribeSecurityGroups":                   {"GroupId.", "groupId", "InvalidGroup.NotFound", "security group"},
	"ec2:DescribeNetworkInterfaces":                {"NetworkInterfaceId.", "networkInterfaceId", "InvalidNetworkInterfaceID.NotFound", "networkInterface ID"},
	"ec2:DescribeAddresses":                        {"AllocationId.", "allocationId", "InvalidAllocationID.NotFound", "allocation ID"},
	"elasticloadbalancingv2:DescribeListeners":     {"ListenerArns.member.", "ListenerArn", "ListenerNotFound", "listener"},
	"elasticloadbalancingv2:DescribeLoadBalancers": {"LoadBalancerArns.member.", "LoadBalancerArn", "LoadBalancerNotFound", "load balancer"},
}

// notFound returns the error AWS answers call (with its request form) when
// it names a resource hidden at now, as it answers for one that does not
// exist; nil when it names none.
func (f *faults) notFound(call string, form url.Values, now time.Time) *CallFault {
	req, ok := requestedBy[call]
	if !ok {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var missing []string
	for k, vs := range form {
		if !strings.HasPrefix(k, req.param) {
			continue
		}
		for _, v := range vs {
			if until, ok := f.hidden.ids[req.elem+"="+v]; ok && now.Before(until) {
				missing = append(missing, v)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	f.fired++
	return &CallFault{Error: req.code, Message: "The " + req.what + " '" + strings.Join(missing, ", ") + "' does not exist"}
}

// filter returns body, the answer to a Describe call, without what is
// hidden at now; body itself when nothing is.
func (f *faults) filter(body []byte, now time.Time) []byte {
	f.mu.Lock()
	h := f.hidden
	live := func(until time.Time) bool { return now.Before(until) }
	hiddenID := func(elem, value string) bool {
		until, ok := h.ids[elem+"="+value]
		return ok && live(until)
	}
	var rules []hiddenRule
	for _, r := range h.rules {
		if live(r.until) {
			rules = append(rules, r)
		}
	}
	ips := map[string]bool{}
	for id, until := range h.ips {
		if live(until) {
			ips[id] = true
		}
	}
	f.mu.Unlock()
	if len(h.ids) == 0 && len(rules) == 0 && len(ips) == 0 {
		return body
	}
	root, err := parseXML(body)
	if err != nil {
		return body
	}
	var cut []*xmlNode
	root.walk(func(n *xmlNode) bool {
		if n.name != "item" && n.name != "member" {
			return true
		}
		if n.parent.name == "reservationSet" {
			if set := n.find("instancesSet"); set != nil && len(set.children) > 0 && allHidden(set.children, "instanceId", hiddenID) {
				cut = append(cut, n)
				return false
			}
		}
		for elem, list := range listOf {
			if n.parent.name == list && hiddenID(elem, n.child(elem)) {
				cut = append(cut, n)
				return false
			}
		}
		if n.parent.name == "instancesSet" && ips[n.child("instanceId")] {
			n.walk(func(d *xmlNode) bool {
				if d.name == "ipAddress" || d.name == "association" {
					cut = append(cut, d)
					return false
				}
				return true
			})
			return false
		}
		if n.parent.name == "securityGroupInfo" {
			cut = append(cut, hiddenRanges(n, rules)...)
			return false
		}
		return true
	})
	if len(cut) == 0 {
		return body
	}
	f.mu.Lock()
	f.fired++
	f.mu.Unlock()
	return splice(body, cut)
}

// allHidden reports whether every item names a hidden id in its elem.
func allHidden(items []*xmlNode, elem string, hiddenID func(elem, value string) bool) bool {
	for _, item := range items {
		if !hiddenID(elem, item.child(elem)) {
			return false
		}
	}
	return true
}

// hiddenRanges returns the ranges of group (a securityGroupInfo item) that
// rules hide, or the whole permission when it has no other source left.
func hiddenRanges(group *xmlNode, rules []hiddenRule) []*xmlNode {
	var cut []*xmlNode
	id := group.child("groupId")
	for _, direction := range []string{"ipPermissions", "ipPermissionsEgress"} {
		list := group.find(direction)
		if list == nil {
			continue
		}
		for _, p := range list.children {
			var hidden, sources int
			var ranges []*xmlNode
			for _, src := range p.children {
				switch src.name {
				case "ipRanges", "ipv6Ranges", "groups", "prefixListIds":
				default:
					continue
				}
				for _, item := range src.children {
					sources++
					cidr := item.child("cidrIp") + item.child("cidrIpv6")
					for _, r := range rules {
						if r.group == id && r.direction == direction && r.protocol == p.child("ipProtocol") &&
							portsMatch(r, p) && cidr != "" && r.cidr == cidr {
							hidden++
							ranges = append(ranges, item)
							break
						}
					}
				}
			}
			switch {
			case hidden == 0:
			case hidden == sources:
				cut = append(cut, p)
			default:
				cut = append(cut, ranges...)
			}
		}
	}
	return cut
}

// portsMatch compares the ports of a rule with those of a permission
// ("-1" protocols have none).
func portsMatch(r hiddenRule, p *xmlNode) bool {
	return (r.fromPort == "" || r.fromPort == p.child("fromPort")) && (r.toPort == "" || r.toPort == p.child("toPort"))
}

// xmlNode is an element of an XML document and the span of bytes it takes.
type xmlNode struct {
	name       string
	start, end int64
	text       []byte
	parent     *xmlNode
	children   []*xmlNode
}

// parseXML reads body into a tree of elements with their byte spans; the
// root is a pseudo element holding the document's.
func parseXML(body []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	root := &xmlNode{end: int64(len(body))}
	cur := root
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local, start: off, parent: cur}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			if cur == root {
				return nil, errors.New("unbalanced XML")
			}
			cur.end = d.InputOffset()
			cur = cur.parent
		case xml.CharData:
			cur.text = append(cur.text, t...)
		}
	}
	if cur != root {
		return nil, errors.New("unterminated XML")
	}
	return root, nil
}

// walk calls fn on n's descendants, depth first; fn returning false skips
// a node's own descendants.
func (n *xmlNode) walk(fn func(*xmlNode) bool) {
	for _, c := range n.children {
		if fn(c) {
			c.walk(fn)
		}
	}
}

// value is a leaf's text, trimmed.
func (n *xmlNode) value() string { return strings.TrimSpace(string(n.text)) }

// find returns n's first direct child called name, or nil.
func (n *xmlNode) find(name string) *xmlNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// child returns the text of n's first direct child called name, or "".
func (n *xmlNode) child(name string) string {
	if c := n.find(name); c != nil {
		return c.value()
	}
	return ""
}

// splice returns body without the spans of cut (spans inside another are
// dropped with it).
func splice(body []byte, cut []*xmlNode) []byte {
	sort.Slice(cut, func(i, j int) bool { return cut[i].start < cut[j].start })
	var out bytes.Buffer
	var pos int64
	for _, n := range cut {
		if n.start < pos {
			continue
		}
		out.Write(body[pos:n.start])
		pos = n.end
	}
	out.Write(body[pos:])
	return out.Bytes()
}
