// Package metrics writes CloudWatch embedded metric format (EMF) lines:
// one JSON log line per metric value, which CloudWatch Logs turns into a
// metric of the namespace deployment.json names (metrics.namespace). Only
// the metrics deployment.json declares (metrics.names), with one of their
// declared dimension sets, are written: terraform's alarms and dashboard
// name the same.
//
// Lines go through the invocation's logger (zerolog.Ctx), without a level,
// so they are written whatever LOG_LEVEL says and carry the invocation's
// fields (service, function_request_id, execution_id).
package metrics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// The metrics the functions emit, as deployment.json declares them.
const (
	// Events counts events by terminal outcome (dimension Outcome).
	Events = "Events"
	// Alerts counts messages SNS accepted, by Severity and by Kind.
	Alerts = "Alerts"
	// EndToEndLatency is CloudTrail's eventTime to SNS accepted, in
	// milliseconds.
	EndToEndLatency = "EndToEndLatency"
	// Lookups counts AWS calls enrich made, by Operation.
	Lookups = "Lookups"
	// Retries counts SDK retries, by Operation.
	Retries = "Retries"
	// Unconfirmed counts alerts sent from the request alone.
	Unconfirmed = "Unconfirmed"
	// MemberRoleMissing counts lookups refused because a member account's
	// role is missing or does not trust trailwatch (dimension Account).
	MemberRoleMissing = "MemberRoleMissing"
	// HeartbeatAge is the age of the last heartbeat, in seconds: the oldest
	// (no dimension) and per Account and Region.
	HeartbeatAge = "HeartbeatAge"
)

// Names are every metric the functions emit.
var Names = []string{Events, Alerts, EndToEndLatency, Lookups, Retries, Unconfirmed, MemberRoleMissing, HeartbeatAge}

// Dimension is one dimension of a metric value.
type Dimension struct {
	Name, Value string
}

// UndeclaredError is returned for a metric, or a set of dimensions of it,
// that deployment.json does not declare.
type UndeclaredError struct {
	Name       string
	Dimensions []string
}

func (e *UndeclaredError) Error() string {
	return fmt.Sprintf("metric %s with dimensions %v is not declared in deployment.json metrics.names", e.Name, e.Dimensions)
}

// now is the clock of the lines' timestamps; tests replace it.
var now = time.Now

// Line returns the EMF fields of one value of the metric name with dims:
// the _aws metadata (timestamp, namespace, the dimension set, the
// metric's declared unit), each dimension and the value. Error:
// *UndeclaredError.
func Line(name string, value float64, dims ...Dimension) (map[string]any, error) {
	keys := make([]string, 0, len(dims))
	for _, d := range dims {
		keys = append(keys, d.Name)
	}
	m, ok := declared(name, keys)
	if !ok {
		return nil, &UndeclaredError{Name: name, Dimensions: keys}
	}
	sorted := slices.Clone(keys)
	sort.Strings(sorted)
	fields := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  deployment.Facts.Metrics.Namespace,
				"Dimensions": [][]string{sorted},
				"Metrics":    []any{map[string]string{"Name": name, "Unit": m.Unit}},
			}},
		},
		name: value,
	}
	for _, d := range dims {
		fields[d.Name] = d.Value
	}
	return fields, nil
}

// Emit writes one value of the metric name with dims as an EMF line
// through ctx's logger (zerolog.Ctx). An undeclared metric is not written:
// it is logged at error level as metric_undeclared.
func Emit(ctx context.Context, name string, value float64, dims ...Dimension) {
	log := zerolog.Ctx(ctx)
	fields, err := Line(name, value, dims...)
	if err != nil {
		log.Error().Err(err).Msg("metric_undeclared")
		return
	}
	log.Log().Fields(fields).Msg("metric")
}

// Count emits 1 of the metric name with dims.
func Count(ctx context.Context, name string, dims ...Dimension) { Emit(ctx, name, 1, dims...) }

// declared returns the declaration of name if it has the dimension set
// keys (in any order).
func declared(name string, keys []string) (deployment.Metric, bool) {
	want := slices.Clone(keys)
	sort.Strings(want)
	for _, m := range deployment.Facts.Metrics.Names {
		if m.Name != name {
			continue
		}
		for _, set := range m.Dimensions {
			got := slices.Clone(set)
			sort.Strings(got)
			if slices.Equal(got, want) {
				return m, true
			}
		}
	}
	return deployment.Metric{}, false
}
