package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// Manifest describes a running local pipeline for scripts and for the send
// command: `make up` writes it to .local/stack.json.
type Manifest struct {
	// Endpoint is the stack's URL, for every AWS service
	// (aws --endpoint-url ...).
	Endpoint        string   `json:"endpoint"`
	Region          string   `json:"region"`
	Account         string   `json:"account"`
	EventBus        string   `json:"event_bus"`
	Rules           []string `json:"rules"`
	StateMachine    string   `json:"state_machine"`
	StateMachineARN string   `json:"state_machine_arn"`
	Table           string   `json:"table"`
	Topic           string   `json:"topic"`
	TopicARN        string   `json:"topic_arn"`
	// NotificationQueue is subscribed to the topic: every alert lands there.
	NotificationQueue    string `json:"notification_queue"`
	NotificationQueueURL string `json:"notification_queue_url"`
	// IntakeQueue is the rules' target, which the stack's pipe turns into
	// executions; ParkedQueue holds what failed max_receive_count times
	// (make redrive sends it back).
	IntakeQueue        string `json:"intake_queue"`
	IntakeQueueURL     string `json:"intake_queue_url"`
	ParkedQueue        string `json:"parked_queue"`
	ParkedQueueURL     string `json:"parked_queue_url"`
	DeadLetterQueue    string `json:"dead_letter_queue"`
	DeadLetterQueueURL string `json:"dead_letter_queue_url"`
	// CanaryGroupID is the heartbeat canary's security group.
	CanaryGroupID string `json:"canary_group_id"`
	// Functions are the function names by step.
	Functions map[string]string `json:"functions"`
	// World is the seeded EC2 world's ids.
	World World `json:"world"`
	// Events are sample events rendered with the world's ids, ready to
	// send, by their fixture's name.
	Events map[string]string `json:"events,omitempty"`
	// Logs is the file of the stack's and the functions' logs.
	Logs string `json:"logs,omitempty"`
	// PID is the process serving the stack.
	PID int `json:"pid"`
}

// Manifest describes p with its world w.
func (p *Pipeline) Manifest(w World) Manifest {
	return Manifest{
		Endpoint:             p.Stack.Endpoint(),
		Region:               localstack.Region,
		Account:              localstack.AccountID,
		EventBus:             EventBus,
		Rules:                p.Rules,
		StateMachine:         p.Names.StateMachine,
		StateMachineARN:      p.StateMachineARN,
		Table:                p.Names.Table,
		Topic:                p.Names.Topic,
		TopicARN:             p.TopicARN,
		NotificationQueue:    p.Names.AlertsQueue,
		NotificationQueueURL: p.AlertsQueueURL,
		IntakeQueue:          p.Names.IntakeQueue,
		IntakeQueueURL:       p.IntakeQueueURL,
		ParkedQueue:          p.Names.ParkedQueue,
		ParkedQueueURL:       p.ParkedQueueURL,
		DeadLetterQueue:      p.Names.DeadLetterQueue,
		DeadLetterQueueURL:   p.DeadLetterQueueURL,
		CanaryGroupID:        p.CanaryGroupID,
		Functions:            p.Names.Functions,
		World:                w,
		PID:                  os.Getpid(),
	}
}

// Attach returns a Pipeline for the stack m describes, running in another
// process; its Stack is nil.
func Attach(m Manifest) *Pipeline {
	names := Default
	p := clients(localstack.ClientConfig(m.Endpoint), names)
	p.StateMachineARN = m.StateMachineARN
	p.TopicARN = m.TopicARN
	p.Rules = m.Rules
	p.IntakeQueueURL = m.IntakeQueueURL
	p.ParkedQueueURL = m.ParkedQueueURL
	p.AlertsQueueURL = m.NotificationQueueURL
	p.DeadLetterQueueURL = m.DeadLetterQueueURL
	p.CanaryGroupID = m.CanaryGroupID
	return p
}

// WriteManifest writes m as indented JSON to path, atomically: a reader
// sees the whole file or none.
func WriteManifest(path string, m Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadManifest reads the manifest at path.
func ReadManifest(path string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	if m.Endpoint == "" || m.StateMachineARN == "" {
		return m, fmt.Errorf("%s: no endpoint or state machine", path)
	}
	return m, nil
}
