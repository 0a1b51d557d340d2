package alert

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

type link struct{ label, url string }

// links returns an AWS console URL for each resource, for the security
// groups and attachments the finding names, and for the CloudTrail event;
// without repeats and at most maxLinks. URLs are for the commercial
// partition (console.aws.amazon.com).
func links(f *finding.Finding) []link {
	var out []link
	seen := map[string]bool{}
	add := func(label, u string) {
		if u != "" && !seen[u] && len(out) < maxLinks {
			seen[u] = true
			out = append(out, link{oneLine(label, maxValueLen), u})
		}
	}
	for _, r := range f.Resources {
		add(typeName(r.Type)+" "+shortID(r), resourceURL(f.Region, r))
	}
	groups := append([]string(nil), f.Requested.SecurityGroups...)
	for _, r := range f.Resources {
		groups = append(groups, r.SecurityGroups...)
		if a := r.AttachedTo; a != "" {
			add("Attached "+attachmentName(a)+" "+a, resourceURL(f.Region, attachment(a)))
		}
	}
	for _, g := range groups {
		add("Security group "+g, resourceURL(f.Region, finding.Resource{Type: finding.TypeSecurityGroup, ID: g}))
	}
	if f.EventID != "" {
		add("CloudTrail event", eventURL(f.Region, f.EventID))
	}
	return out
}

// shortID names r in a link label.
func shortID(r finding.Resource) string {
	if r.Type == finding.TypeLoadBalancer && r.Name != "" {
		return r.Name
	}
	return r.ID
}

// attachment is the resource an address's AttachedTo names.
func attachment(id string) finding.Resource {
	if strings.HasPrefix(id, "eni-") {
		return finding.Resource{Type: finding.TypeNetworkInterface, ID: id}
	}
	return finding.Resource{Type: finding.TypeInstance, ID: id}
}

func attachmentName(id string) string {
	if strings.HasPrefix(id, "eni-") {
		return "network interface"
	}
	return "instance"
}

// resourceURL is r's page in the AWS console, or "" for a type without one.
func resourceURL(region string, r finding.Resource) string {
	if r.ID == "" {
		return ""
	}
	q := url.QueryEscape
	ec2 := func(fragment string) string {
		return consoleHost(region) + "/ec2/home" + regionQuery(region) + "#" + fragment
	}
	switch r.Type {
	case finding.TypeInstance:
		return ec2("InstanceDetails:instanceId=" + q(r.ID))
	case finding.TypeSecurityGroup:
		return ec2("SecurityGroup:groupId=" + q(r.ID))
	case finding.TypeElasticIP:
		if strings.HasPrefix(r.ID, "eipalloc-") {
			return ec2("ElasticIpDetails:AllocationId=" + q(r.ID))
		}
		return ec2("Addresses:public-ip=" + q(r.ID))
	case finding.TypeNetworkInterface:
		return ec2("NetworkInterface:networkInterfaceId=" + q(r.ID))
	case finding.TypeLoadBalancer:
		return ec2("LoadBalancers:search=" + q(shortID(r)))
	case finding.TypeBucket:
		return "https://s3.console.aws.amazon.com/s3/buckets/" + url.PathEscape(r.ID) + regionQuery(region)
	case finding.TypeObject:
		bucket, key := splitObject(r)
		u := "https://s3.console.aws.amazon.com/s3/object/" + url.PathEscape(bucket) + regionQuery(region)
		if key == "" {
			return u
		}
		sep := "&"
		if !strings.Contains(u, "?") {
			sep = "?"
		}
		return u + sep + "prefix=" + q(key)
	}
	return ""
}

// splitObject returns the bucket and key of an object resource, whose ID is
// "bucket/key" and Name the bucket.
func splitObject(r finding.Resource) (bucket, key string) {
	if r.Name != "" && strings.HasPrefix(r.ID, r.Name+"/") {
		return r.Name, strings.TrimPrefix(r.ID, r.Name+"/")
	}
	bucket, key, _ = strings.Cut(r.ID, "/")
	return bucket, key
}

// consoleHost is the regional console host, or the global one when region
// is not a plausible region name (it becomes part of a host name).
func consoleHost(region string) string {
	if validRegion(region) {
		return "https://" + region + ".console.aws.amazon.com"
	}
	return "https://console.aws.amazon.com"
}

func regionQuery(region string) string {
	if validRegion(region) {
		return "?region=" + region
	}
	return ""
}

func validRegion(region string) bool {
	if region == "" || len(region) > 32 || region[0] == '-' {
		return false
	}
	for _, c := range region {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// advice returns what to do: for a refused call, one line; otherwise one
// line per kind of resource, in the order the finding names them.
func advice(f *finding.Finding) []string {
	if f.Failed() {
		return []string{fmt.Sprintf("Nothing was changed: the call was refused (%s). Check that %s is expected to attempt %s; repeated refusals can mean someone is probing with stolen credentials.",
			oneLine(f.ErrorCode, 64), oneLine(f.Actor.Name(), maxValueLen), oneLine(f.EventName, 64))}
	}
	var out []string
	seen := map[finding.ResourceType]bool{}
	for _, r := range f.Resources {
		if seen[r.Type] {
			continue
		}
		seen[r.Type] = true
		if a := adviceFor(r.Type); a != "" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = append(out, "Check with the actor that the change was intended and that nothing it exposes should stay private.")
	}
	return out
}
