// Package deployment is the one source of the facts every deployment of
// trailwatch shares: resource names, the dedupe durations and the
// environment each function reads. They live in deployment.json, which
// terraform reads with jsondecode(file(...)) and this package embeds, so
// the functions' defaults, the local stack and terraform cannot drift.
package deployment

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
)

//go:embed deployment.json
var raw []byte

// File is deployment.json.
type File struct {
	// DefaultName is the default of terraform's var.name: the prefix of
	// every resource name.
	DefaultName string   `json:"default_name"`
	Suffixes    Suffixes `json:"suffixes"`
	Dedupe      Dedupe   `json:"dedupe"`
	// Environment lists, by function, the variables the function reads
	// besides LOG_LEVEL.
	Environment map[string][]string `json:"environment"`
}

// Suffixes follow the deployment's name in resource names.
type Suffixes struct {
	// Functions by pipeline step: parse, enrich, dedupe, notify.
	Functions       map[string]string `json:"functions"`
	StateMachine    string            `json:"state_machine"`
	DedupeTable     string            `json:"dedupe_table"`
	AlertTopic      string            `json:"alert_topic"`
	OpsTopic        string            `json:"ops_topic"`
	Rule            string            `json:"rule"`
	DeadLetterQueue string            `json:"dead_letter_queue"`
}

// Dedupe holds the dedupe durations, as Go durations ("24h", "5m").
type Dedupe struct {
	Window    string `json:"window"`
	Lease     string `json:"lease"`
	Retention string `json:"retention"`
}

// Durations returns the dedupe durations parsed.
func (d Dedupe) Durations() (window, lease, retention time.Duration, err error) {
	for _, p := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{{"window", d.Window, &window}, {"lease", d.Lease, &lease}, {"retention", d.Retention, &retention}} {
		if *p.dst, err = time.ParseDuration(p.s); err != nil {
			return 0, 0, 0, fmt.Errorf("deployment.json dedupe.%s: %w", p.name, err)
		}
	}
	return window, lease, retention, nil
}

// Facts is deployment.json, decoded once. The file is embedded and checked
// by this package's tests, so decoding it cannot fail at run time.
var Facts = func() File {
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		panic("deployment: decode deployment.json: " + err.Error())
	}
	return f
}()

// Name returns the name of a resource of the deployment called name, given
// its suffix: Name("trailwatch", Facts.Suffixes.DedupeTable) is
// "trailwatch-dedupe".
func Name(name, suffix string) string { return name + suffix }
