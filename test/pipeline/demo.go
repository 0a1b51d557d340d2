package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FixtureDir is where the real-shaped CloudTrail events live, relative to
// the repository root; their README names each one's source.
const FixtureDir = "functions/shared/finding/testdata/events"

// Sample is one event the demo sends.
type Sample struct {
	Name string
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
	now := time.Now().UTC().Truncate(time.Second)
	load := func(file string, edits map[string]any) ([]byte, error) {
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
			"eventTime":              now.Format(time.RFC3339),
			"awsRegion":              Region,
			"recipientAccountId":     Account,
			"userIdentity.accountId": Account,
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
			"requestParameters.Host":       "trailwatch-demo-watched.s3." + Region + ".amazonaws.com",
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
		out = append(out, Sample{Name: s.name, Record: rec, Before: s.before, Want: s.want})
		if s.file == "ec2-runinstances.json" {
			out = append(out, Sample{Name: "RunInstances, delivered again", Record: rec, Want: "suppressed"})
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

// Result is what became of one sample.
type Result struct {
	Sample    Sample
	Outcome   string
	Path      []string
	Subject   string
	Execution Execution
}

// Report sums the demo up.
type Report struct {
	Results                                                 []Result
	Events, Notified, Suppressed, Skipped, Rejected, Failed int
	Notifications                                           []Notification
}

// Line is the report's summary line.
func (r Report) Line() string {
	return fmt.Sprintf("events=%d notified=%d suppressed=%d skipped=%d rejected=%d failed=%d",
		r.Events, r.Notified, r.Suppressed, r.Skipped, r.Rejected, r.Failed)
}

// RunSamples sends each sample in turn, waits for its execution (or, for an
// event the rule must drop, checks that none started), and reports the
// path of states and the notification of each. Progress goes to w.
func (p *Pipeline) RunSamples(ctx context.Context, samples []Sample, w io.Writer) (Report, error) {
	var rep Report
	seen := map[string]int{}
	var notifications []Notification
	for i, s := range samples {
		if s.Before != nil {
			if err := s.Before(ctx); err != nil {
				return rep, err
			}
		}
		res := Result{Sample: s}
		waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
		switch {
		case s.Direct:
			arn, err := p.StartDirect(waitCtx, fmt.Sprintf("direct-%d-%s", i, NewID()), s.Record)
			if err != nil {
				cancel()
				return rep, err
			}
			if res.Execution, err = p.Execution(waitCtx, arn); err != nil {
				cancel()
				return rep, err
			}
		default:
			if _, err := p.PutEvent(waitCtx, s.Record, ""); err != nil {
				cancel()
				return rep, err
			}
			id := eventID(s.Record)
			seen[id]++
			if s.Want == "skipped" && !p.delivered(waitCtx, id) {
				res.Outcome = "skipped"
				res.Path = []string{"(not delivered: the rule does not match)"}
				break
			}
			execs, err := p.Executions(waitCtx, id, seen[id])
			if err != nil {
				cancel()
				return rep, err
			}
			res.Execution = execs[len(execs)-1]
		}
		cancel()
		if res.Outcome == "" {
			res.Outcome, res.Path = res.Execution.Outcome(), res.Execution.Path
		}
		if res.Outcome == "notified" {
			got, err := p.Notifications(ctx, 5*time.Second)
			if err != nil {
				return rep, err
			}
			notifications = append(notifications, got...)
			for _, n := range notifications {
				if n.MessageID == res.Execution.MessageID() {
					res.Subject = n.Subject
				}
			}
		}
		rep.add(res)
		fmt.Fprintf(w, "%-52s %-10s %s\n", s.Name, res.Outcome, strings.Join(res.Path, " > "))
		if res.Subject != "" {
			fmt.Fprintf(w, "%-52s %-10s subject: %s\n", "", "", res.Subject)
		}
	}
	rep.Notifications = notifications
	return rep, nil
}

// delivered reports whether the rule delivered the event: it waits until
// the forwarder has emptied the rule's queue, then looks for an execution.
func (p *Pipeline) delivered(ctx context.Context, eventID string) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	execs, _ := p.Executions(ctx, eventID, 1)
	return len(execs) > 0
}

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	r.Events++
	switch res.Outcome {
	case "notified":
		r.Notified++
	case "suppressed":
		r.Suppressed++
	case "skipped":
		r.Skipped++
	case "rejected":
		r.Rejected++
	default:
		r.Failed++
	}
}

func eventID(record []byte) string {
	var r struct {
		EventID string `json:"eventID"`
	}
	_ = json.Unmarshal(record, &r)
	return r.EventID
}
