package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// FixtureDir is where the real-shaped CloudTrail events live, relative to
// the repository root; their README names each one's source.
const FixtureDir = "functions/shared/finding/testdata/events"

// Sample is one event the demo sends.
type Sample struct {
	Name string
	// File is the fixture the record was rendered from, under FixtureDir.
	File string
	// Record is the CloudTrail record, rendered with the seeded ids.
	Record []byte
	// Direct samples are started as executions with Record as their input,
	// bypassing the rule (the malformed event).
	Direct bool
	// Before runs before the event is sent: the change the event reports.
	Before func(ctx context.Context) error
	// Want is the outcome the demo expects.
	Want string
}

// Samples renders the demo's events from the fixtures under root with the
// ids of w: each is the real event with its ids, account, region, time and
// event id replaced, so that enrich finds what it names.
func (p *Pipeline) Samples(root string, w World) ([]Sample, error) {
	load := func(file string, edits map[string]any) ([]byte, error) { return Render(root, file, edits) }
	specs := []struct {
		name, file string
		edits      map[string]any
		before     func(context.Context) error
		want       string
	}{
		{"RunInstances", "ec2-runinstances.json", map[string]any{
			"responseElements.instancesSet.items.0.instanceId":               w.InstanceID,
			"responseElements.instancesSet.items.0.groupSet.items.0.groupId": w.SSHGroupID,
		}, nil, "notified"},
		{"AllocateAddress", "ec2-allocateaddress.json", map[string]any{
			"responseElements.publicIp":     w.ElasticIP,
			"responseElements.allocationId": w.AllocationID,
		}, nil, "notified"},
		{"CreateLoadBalancer (internet-facing)", "elbv2-createloadbalancer.json", map[string]any{
			"requestParameters.securityGroups":                   []string{w.WebGroupID},
			"requestParameters.subnets":                          []string{w.SubnetID},
			"requestParameters.name":                             w.LoadBalancerName,
			"responseElements.loadBalancers.0.securityGroups":    []string{w.WebGroupID},
			"responseElements.loadBalancers.0.loadBalancerArn":   w.LoadBalancerARN,
			"responseElements.loadBalancers.0.loadBalancerName":  w.LoadBalancerName,
			"responseElements.loadBalancers.0.vpcId":             w.VPCID,
			"responseElements.loadBalancers.0.availabilityZones": []any{},
		}, nil, "notified"},
		{"CreateListener (HTTP:80)", "elbv2-createlistener.json", map[string]any{
			"requestParameters.loadBalancerArn":                                                         w.LoadBalancerARN,
			"requestParameters.protocol":                                                                "HTTP",
			"requestParameters.port":                                                                    80,
			"requestParameters.sslPolicy":                                                               removed{},
			"requestParameters.certificates":                                                            removed{},
			"requestParameters.defaultActions.0.targetGroupArn":                                         w.TargetGroupARN,
			"responseElements.listeners.0.listenerArn":                                                  w.ListenerARN,
			"responseElements.listeners.0.loadBalancerArn":                                              w.LoadBalancerARN,
			"responseElements.listeners.0.protocol":                                                     "HTTP",
			"responseElements.listeners.0.port":                                                         80,
			"responseElements.listeners.0.sslPolicy":                                                    removed{},
			"responseElements.listeners.0.certificates":                                                 removed{},
			"responseElements.listeners.0.defaultActions.0.targetGroupArn":                              w.TargetGroupARN,
			"responseElements.listeners.0.defaultActions.0.forwardConfig.targetGroups.0.targetGroupArn": w.TargetGroupARN,
		}, nil, "notified"},
		{"AuthorizeSecurityGroupIngress (3389 from 0.0.0.0/0)", "ec2-authorizesecuritygroupingress.json", map[string]any{
			"requestParameters.groupId":                                       w.SSHGroupID,
			"requestParameters.ipPermissions.items.0.fromPort":                3389,
			"requestParameters.ipPermissions.items.0.toPort":                  3389,
			"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
			"responseElements.securityGroupRuleSet.items.0.groupId":           w.SSHGroupID,
			"responseElements.securityGroupRuleSet.items.0.fromPort":          3389,
			"responseElements.securityGroupRuleSet.items.0.toPort":            3389,
			"responseElements.securityGroupRuleSet.items.0.cidrIpv4":          "0.0.0.0/0",
		}, func(ctx context.Context) error { return p.OpenRDP(ctx, w) }, "notified"},
		{"PutObject (watched bucket)", "s3-putobject.json", map[string]any{
			"requestParameters.bucketName": "trailwatch-demo-watched",
			"requestParameters.key":        "exports/customers.csv",
			"requestParameters.Host":       "trailwatch-demo-watched.s3." + localstack.Region + ".amazonaws.com",
			"resources.0.ARN":              "arn:aws:s3:::trailwatch-demo-watched/exports/customers.csv",
			"resources.1.ARN":              "arn:aws:s3:::trailwatch-demo-watched",
		}, nil, "notified"},
		{"DescribeInstances (read-only: the rule drops it)", "ec2-describeinstances.json", nil, nil, "skipped"},
	}
	var out []Sample
	for _, s := range specs {
		rec, err := load(s.file, s.edits)
		if err != nil {
			return nil, err
		}
		out = append(out, Sample{Name: s.name, File: s.file, Record: rec, Before: s.before, Want: s.want})
		if s.file == "ec2-runinstances.json" {
			out = append(out, Sample{Name: "RunInstances, delivered again", File: s.file, Record: rec, Want: "suppressed"})
		}
	}
	out = append(out, Sample{
		Name:   "malformed event (started directly)",
		Record: []byte(`{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","detail":{"eventVersion":"1.08","eventName":"RunInstances","eventSource":"ec2.amazonaws.com"}}`),
		Direct: true,
		Want:   "rejected",
	})
	return out, nil
}

// Render returns the fixture file (under root's FixtureDir) as an event of
// the local stack: the real event with a new event id, the time now and
// the stack's region and account, then edits (dotted paths, see set)
// applied.
func Render(root, file string, edits map[string]any) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, FixtureDir, file))
	if err != nil {
		return nil, err
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	base := map[string]any{
		"eventID":                NewID(),
		"eventTime":              time.Now().UTC().Truncate(time.Second).Format(time.RFC3339),
		"awsRegion":              localstack.Region,
		"recipientAccountId":     localstack.AccountID,
		"userIdentity.accountId": localstack.AccountID,
	}
	for path, v := range base {
		if err := set(rec, path, v); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	for path, v := range edits {
		if err := set(rec, path, v); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	return json.Marshal(rec)
}

// removed, as the value given to set, deletes the object member at path.
type removed struct{}

// set sets the value at a dotted path of objects and array indexes; the
// last element may be new, every other must exist. The value removed{}
// deletes an object member instead.
func set(root map[string]any, path string, v any) error {
	parts := strings.Split(path, ".")
	var cur any = root
	for i, part := range parts {
		last := i == len(parts)-1
		switch node := cur.(type) {
		case map[string]any:
			if last {
				if _, ok := v.(removed); ok {
					delete(node, part)
				} else {
					node[part] = v
				}
				return nil
			}
			next, ok := node[part]
			if !ok {
				return fmt.Errorf("%s: no %q", path, part)
			}
			cur = next
		case []any:
			idx, err := strconv.Atoi(part)
			if err != nil || idx < 0 || idx >= len(node) {
				return fmt.Errorf("%s: no index %q", path, part)
			}
			if last {
				node[idx] = v
				return nil
			}
			cur = node[idx]
		default:
			return fmt.Errorf("%s: %q is not an object or array", path, part)
		}
	}
	return nil
}

// NewID returns a random UUID (version 4), as CloudTrail event ids are.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
