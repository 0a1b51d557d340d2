package cost

import (
	"math"
	"slices"
)

// PerMillion is the number of executions an estimate is for.
const PerMillion = 1e6

// gib is how AWS counts a GB of data and of memory.
const gib = 1 << 30

// Item is one line of an estimate: what a million executions cost in USD
// for one priced thing.
type Item struct {
	Name string
	// Volume says what is counted, per million executions.
	Volume string
	USD    float64
}

// Estimate is what a million executions like the run's cost at one level.
type Estimate struct {
	Level Level
	Items []Item
	// LoggedBytes is the state machine's log per execution, on average.
	LoggedBytes float64
}

// Total is the sum of the estimate's items.
func (e Estimate) Total() float64 {
	t := 0.0
	for _, it := range e.Items {
		t += it.USD
	}
	return t
}

// Averages are the run's measurements per execution.
type Averages struct {
	Executions int
	// ExpressGBSeconds is Express's billed duration: each execution's
	// rounded up to 100 ms, in a 64 MB chunk.
	ExpressGBSeconds float64
	Invocations      float64
	// LambdaGBSeconds is the functions' billed duration (each invocation
	// rounded up to the millisecond) at MemoryMB.
	LambdaGBSeconds  float64
	WriteUnits       float64
	ReadUnits        float64
	SNSRequests      float64
	SNSPublishes     float64
	FunctionLogBytes float64
	Logged           map[string]float64
}

// Average sums the run up per execution.
func (r *Run) Average() Averages {
	n := float64(len(r.Executions))
	a := Averages{Executions: len(r.Executions), Logged: map[string]float64{}}
	if n == 0 {
		return a
	}
	for _, e := range r.Executions {
		a.ExpressGBSeconds += math.Ceil(e.DurationMS/100) / 10 * 64.0 / 1024
		for _, inv := range e.Invocations {
			a.Invocations += float64(len(inv))
			for _, d := range inv {
				a.LambdaGBSeconds += math.Max(1, math.Ceil(d)) / 1000 * float64(r.MemoryMB) / 1024
			}
		}
		for level, b := range e.Logged {
			a.Logged[level] += float64(b)
		}
	}
	for _, b := range r.FunctionLogBytes {
		a.FunctionLogBytes += float64(b)
	}
	a.ExpressGBSeconds /= n
	a.Invocations /= n
	a.LambdaGBSeconds /= n
	a.WriteUnits = r.Calls.WriteUnits / n
	a.ReadUnits = r.Calls.ReadUnits / n
	a.SNSRequests = float64(r.Calls.SNSRequests) / n
	a.SNSPublishes = float64(r.Calls.SNSPublishes) / n
	a.FunctionLogBytes /= n
	for level := range a.Logged {
		a.Logged[level] /= n
	}
	return a
}

// Estimates prices a million executions like the run's at each of Levels.
// Email deliveries count one subscribed address per alert published.
// X-Ray counts a trace per execution, what its default sampling (the first
// request each second, then 5 %) records up to about 2.6 million a month.
func (r *Run) Estimates(p Prices) []Estimate {
	a := r.Average()
	var out []Estimate
	for _, l := range Levels {
		logged := a.Logged[l.Name]
		items := []Item{
			{"Step Functions Express requests", "1 M requests", PerMillion * p.ExpressRequest.USD},
			{"Step Functions Express duration", gbs(a.ExpressGBSeconds), PerMillion * a.ExpressGBSeconds * p.ExpressGBSecond.USD},
			{"Lambda requests", count(a.Invocations, "invocations"), PerMillion * a.Invocations * p.LambdaRequest.USD},
			{"Lambda duration (arm64)", gbs(a.LambdaGBSeconds), PerMillion * a.LambdaGBSeconds * p.LambdaGBSecond.USD},
			{"DynamoDB on-demand writes and reads", count(a.WriteUnits, "write units") + ", " + count(a.ReadUnits, "read units"),
				PerMillion * (a.WriteUnits*p.DynamoDBWrite.USD + a.ReadUnits*p.DynamoDBRead.USD)},
			{"SNS publishes", count(a.SNSRequests, "requests"), PerMillion * a.SNSRequests * p.SNSRequest.USD},
			{"SNS email deliveries (one address)", count(a.SNSPublishes, "emails"), PerMillion * a.SNSPublishes * p.SNSEmail.USD},
			{"CloudWatch Logs: state machine", gb(logged), PerMillion * logged / gib * p.LogsIngestedGB.USD},
			{"CloudWatch Logs: functions", gb(a.FunctionLogBytes), PerMillion * a.FunctionLogBytes / gib * p.LogsIngestedGB.USD},
			{"X-Ray traces", "1 M traces", PerMillion * p.XRayTrace.USD},
		}
		out = append(out, Estimate{Level: l, Items: items, LoggedBytes: logged})
	}
	return out
}

// Outcomes counts the run's executions by outcome, sorted by name.
func (r *Run) Outcomes() [][2]any {
	counts := map[string]int{}
	for _, e := range r.Executions {
		counts[e.Outcome]++
	}
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	var out [][2]any
	for _, n := range names {
		out = append(out, [2]any{n, counts[n]})
	}
	return out
}
