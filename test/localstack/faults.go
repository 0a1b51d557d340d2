package localstack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// FaultPlan is what the gateway does wrong on purpose, for tests of how
// the pipeline survives AWS failing: Stack.InjectFaults takes it, and so
// does POST /_trailwatch/faults as JSON. Faults apply to the calls and
// invocations of the configured functions only (the gateway tells their
// calls by the User-Agent their processes send); the stack's own calls, and
// those of tests and scripts, always pass.
type FaultPlan struct {
	Calls   []CallFault  `json:"calls,omitempty"`
	Hides   []HideFault  `json:"hides,omitempty"`
	Crashes []CrashFault `json:"crashes,omitempty"`
}

// CallFault fails or slows the functions' AWS calls of one service.
//
// Error set: a matching call is answered with that AWS error code in the
// service's wire format (EC2 query XML, the query protocol's ErrorResponse
// of SNS and Elastic Load Balancing, DynamoDB's and the other JSON
// protocols' __type, S3's XML, Lambda's REST-JSON) and the HTTP status AWS
// answers it with (Status overrides it; see errorStatus), without reaching
// moto. Latency set: the answer comes that much later; the call itself
// takes effect at once (as a slow answer from AWS does: a client that gives
// up cannot tell whether it did). Both: the error after the latency.
//
// Count > 0: the next Count matching calls; For > 0: every matching call
// until For after the plan was injected (an outage); neither: every
// matching call until ClearFaults.
type CallFault struct {
	// Service is the service as Stack.Calls names it ("ec2", "sns",
	// "dynamodb", "elasticloadbalancingv2", "s3", ...).
	Service string `json:"service"`
	// Operation is the operation ("Publish"); "" matches every one.
	Operation string `json:"operation,omitempty"`
	// Caller is the function whose calls fail; "" matches every function.
	Caller  string   `json:"caller,omitempty"`
	Error   string   `json:"error,omitempty"`
	Message string   `json:"message,omitempty"`
	Status  int      `json:"status,omitempty"`
	Latency Duration `json:"latency,omitempty"`
	Count   int      `json:"count,omitempty"`
	For     Duration `json:"for,omitempty"`
}

// HideFault plays eventual consistency: for For after each is created,
// the resources created after the plan was injected (by anyone) are left
// out of the functions' Describe calls of Service: new instances, security
// groups, network interfaces, Elastic IP allocations, and a new address's
// public IP on its instance (ec2); a new ingress or egress rule, out of
// its group (DescribeSecurityGroups) and its rule (DescribeSecurityGroupRules);
// new load balancers and listeners (elasticloadbalancingv2). A Describe
// call that names a hidden resource by id is answered with the error AWS
// gives for one that does not exist (InvalidInstanceID.NotFound,
// InvalidGroup.NotFound, ListenerNotFound, ...); one that lists or
// filters gets an answer without it.
type HideFault struct {
	Service string   `json:"service"`
	For     Duration `json:"for"`
}

// CrashFault breaks invocations of one function. When says where: "start"
// (as the process takes the invocation), "before:<Op>" or "after:<Op>"
// (as the gateway sees the process make that AWS call: before it reaches
// moto, or after moto answered it and before the answer reaches the
// function; Op is "Publish" or "sns:Publish"). The process is killed
// there, which Lambda reports as Runtime.ExitError; with Timeout it hangs
// there instead until the invocation's timeout kills it, which Lambda
// reports as Sandbox.Timedout. Count > 0: the next Count invocations that
// reach that point; 0: every one until ClearFaults.
type CrashFault struct {
	Function string `json:"function"`
	When     string `json:"when,omitempty"`
	Timeout  bool   `json:"timeout,omitempty"`
	Count    int    `json:"count,omitempty"`
}

// Duration is a time.Duration written in JSON as Go writes durations
// ("45s", "1m30s").
type Duration time.Duration

// MarshalText writes d as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a duration time.ParseDuration accepts.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ErrInvalidFaultPlan is wrapped by the error InjectFaults returns for a
// plan it cannot apply.
var ErrInvalidFaultPlan = errors.New("invalid fault plan")

// hidableServices are the services HideFault knows how to hide from.
var hidableServices = map[string]bool{"ec2": true, "elasticloadbalancingv2": true}

// validate checks the plan against the functions the stack runs.
func (p FaultPlan) validate(functions map[string]*function) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidFaultPlan, fmt.Sprintf(format, args...))
	}
	for i, c := range p.Calls {
		switch {
		case c.Service == "":
			return bad("calls[%d]: no service", i)
		case c.Error == "" && c.Latency <= 0:
			return bad("calls[%d]: neither an error nor a latency", i)
		case c.Count < 0 || c.For < 0 || c.Latency < 0:
			return bad("calls[%d]: negative count, for or latency", i)
		case c.Count > 0 && c.For > 0:
			return bad("calls[%d]: both count and for", i)
		case c.Caller != "" && functions[c.Caller] == nil:
			return bad("calls[%d]: no function %q", i, c.Caller)
		}
	}
	for i, h := range p.Hides {
		if !hidableServices[h.Service] {
			return bad("hides[%d]: cannot hide resources of %q (ec2, elasticloadbalancingv2)", i, h.Service)
		}
		if h.For <= 0 {
			return bad("hides[%d]: no duration", i)
		}
	}
	for i, c := range p.Crashes {
		if functions[c.Function] == nil {
			return bad("crashes[%d]: no function %q", i, c.Function)
		}
		if _, _, err := parseWhen(c.When); err != nil {
			return bad("crashes[%d]: %v", i, err)
		}
		if c.Count < 0 {
			return bad("crashes[%d]: negative count", i)
		}
	}
	return nil
}

// Points of an invocation a crash can happen at.
const (
	atStart  = "start"
	atBefore = "before"
	atAfter  = "after"
)

// parseWhen splits a CrashFault's When into its point and operation.
func parseWhen(when string) (point, op string, err error) {
	if when == "" || when == atStart {
		return atStart, "", nil
	}
	point, op, ok := strings.Cut(when, ":")
	if !ok || op == "" || (point != atBefore && point != atAfter) {
		return "", "", fmt.Errorf(`when %q: want "start", "before:<Op>" or "after:<Op>"`, when)
	}
	return point, op, nil
}

// activeCall is a CallFault in force.
type activeCall struct {
	CallFault
	left  int       // calls left when Count > 0
	until time.Time // end of the outage when For > 0
}

type activeCrash struct {
	CrashFault
	point, op string
	left      int
}

// faults holds the faults in force and the resources hidden. Its methods
// are safe for concurrent use.
type faults struct {
	mu      sync.Mutex
	calls   []*activeCall
	crashes []*activeCrash
	hides   map[string]time.Duration // by service: how long a new resource stays hidden
	hidden  hiddenSet
	fired   int
	now     func() time.Time
}

func newFaults() *faults {
	return &faults{now: time.Now, hides: map[string]time.Duration{}}
}

// add puts the (validated) plan in force.
func (f *faults) add(p FaultPlan) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	for _, c := range p.Calls {
		a := &activeCall{CallFault: c, left: c.Count}
		if c.For > 0 {
			a.until = now.Add(time.Duration(c.For))
		}
		f.calls = append(f.calls, a)
	}
	for _, c := range p.Crashes {
		point, op, _ := parseWhen(c.When)
		f.crashes = append(f.crashes, &activeCrash{CrashFault: c, point: point, op: op, left: c.Count})
	}
	for _, h := range p.Hides {
		if time.Duration(h.For) > f.hides[h.Service] {
			f.hides[h.Service] = time.Duration(h.For)
		}
	}
}

// clear ends every fault; resources hidden so far show again.
func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.crashes, f.hides, f.hidden, f.fired = nil, nil, map[string]time.Duration{}, hiddenSet{}, 0
}

// firedCount is how many calls and invocations the faults broke since the
// last clear.
func (f *faults) firedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// callVerdict is what the gateway does with one AWS call.
type callVerdict struct {
	err     *CallFault    // answer this error, without calling moto
	latency time.Duration // answer this much later
	crash   *activeCrash  // break the calling process, before or after the call
}

// forCall returns what to do with call ("service:Operation") made by the
// function caller (never "": other callers are not faulted), and uses up
// one of each count-limited fault it applies.
func (f *faults) forCall(call, caller string) callVerdict {
	service, op, _ := strings.Cut(call, ":")
	f.mu.Lock()
	defer f.mu.Unlock()
	var v callVerdict
	for _, c := range f.crashes {
		if c.Function != caller || c.point == atStart || (c.op != op && c.op != call) || !c.take() {
			continue
		}
		v.crash = c
		f.fired++
		return v
	}
	now := f.now()
	for _, c := range f.calls {
		if c.Service != service || (c.Operation != "" && c.Operation != op) || (c.Caller != "" && c.Caller != caller) {
			continue
		}
		if c.For > 0 && !now.Before(c.until) {
			continue
		}
		if c.Count > 0 {
			if c.left == 0 {
				continue
			}
			c.left--
		}
		if c.Latency > 0 && time.Duration(c.Latency) > v.latency {
			v.latency = time.Duration(c.Latency)
		}
		if c.Error != "" && v.err == nil {
			v.err = &c.CallFault
		}
		f.fired++
	}
	return v
}

// atStart returns the crash fault that breaks the next invocation of
// function at its start, if any, using it up.
func (f *faults) atStart(function string) *activeCrash {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.crashes {
		if c.Function == function && c.point == atStart && c.take() {
			f.fired++
			return c
		}
	}
	return nil
}

// take reports whether the crash applies once more, counting it.
func (c *activeCrash) take() bool {
	if c.Count == 0 {
		return true
	}
	if c.left == 0 {
		return false
	}
	c.left--
	return true
}

// hiding returns how long resources of service created now stay hidden, 0
// when no hide is in force.
func (f *faults) hiding(service string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hides[service]
}

// MarshalJSON writes d as a JSON string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a JSON string time.ParseDuration accepts.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"45s\": %w", err)
	}
	return d.UnmarshalText([]byte(s))
}
