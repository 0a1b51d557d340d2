package alert_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// schemaPath is the committed JSON Schema of alert.DocumentSchema.
const schemaPath = "schema/message.v1.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaPath, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaPath)
})

// validateDocument checks a rendered document against the schema.
func validateDocument(t *testing.T, doc []byte) {
	t.Helper()
	schema, err := compiled()
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if err := schema.Validate(v); err != nil {
		t.Errorf("document does not validate against %s: %v\n%.2000s", schemaPath, err, doc)
	}
}

// chatMessage is a decoded Chatbot custom notification.
type chatMessage struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	ID      string `json:"id"`
	Content struct {
		TextType    string   `json:"textType"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		NextSteps   []string `json:"nextSteps"`
		Keywords    []string `json:"keywords"`
	} `json:"content"`
	Metadata struct {
		ThreadID          string            `json:"threadId"`
		Summary           string            `json:"summary"`
		EventType         string            `json:"eventType"`
		RelatedResources  []string          `json:"relatedResources"`
		AdditionalContext map[string]string `json:"additionalContext"`
	} `json:"metadata"`
}

// checkChat checks that a chat message is an AWS Chatbot custom
// notification (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
// version 1.0, source custom, content with a title and a description,
// within trailwatch's bounds.
func checkChat(t *testing.T, data []byte) chatMessage {
	t.Helper()
	var c chatMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("chat message: %v\n%s", err, data)
	}
	if len(data) > alert.MaxChatBytes {
		t.Errorf("chat message is %d bytes, more than %d", len(data), alert.MaxChatBytes)
	}
	if c.Version != "1.0" || c.Source != "custom" || c.Content.TextType != "client-markdown" {
		t.Errorf("version %q source %q textType %q, want 1.0 custom client-markdown", c.Version, c.Source, c.Content.TextType)
	}
	if c.Content.Title == "" || c.Content.Description == "" {
		t.Errorf("title %q, description %q: both required", c.Content.Title, c.Content.Description)
	}
	if n := len([]rune(c.Content.Title)); n > alert.MaxChatTitle {
		t.Errorf("title is %d characters, more than %d", n, alert.MaxChatTitle)
	}
	if n := len([]rune(c.Content.Description)); n > alert.MaxChatDescription {
		t.Errorf("description is %d characters, more than %d", n, alert.MaxChatDescription)
	}
	if len(c.Content.NextSteps) > alert.MaxChatNextSteps || len(c.Content.Keywords) > alert.MaxChatKeywords {
		t.Errorf("%d next steps, %d keywords: more than %d, %d", len(c.Content.NextSteps), len(c.Content.Keywords), alert.MaxChatNextSteps, alert.MaxChatKeywords)
	}
	for _, s := range c.Content.NextSteps {
		if n := len([]rune(s)); n > alert.MaxChatStep+2+alert.MaxURLLen {
			t.Errorf("next step of %d characters", n)
		}
	}
	for _, k := range c.Content.Keywords {
		if k == "" || len([]rune(k)) > alert.MaxChatKeyword {
			t.Errorf("keyword %q: empty or longer than %d", k, alert.MaxChatKeyword)
		}
	}
	if !strings.HasPrefix(c.Metadata.EventType, alert.ChatEventType) {
		t.Errorf("eventType %q, want the prefix %q", c.Metadata.EventType, alert.ChatEventType)
	}
	return c
}

// messageSize is what SNS counts of a published message: the structured
// message, the subject and each attribute's name, type and value.
func messageSize(m alert.Message) int {
	n := len(alert.Structured(m)) + len(m.Subject)
	for k, v := range m.Attributes {
		n += len(k) + len("String") + len(v)
	}
	return n
}

// TestEveryCatalogEntryHasAnAlertGolden: each catalog entry has at least
// one testdata/<case>.finding.json of its event, so its golden shows what
// an alert about it says.
func TestEveryCatalogEntryHasAnAlertGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.finding.json")
	covered := map[string]bool{}
	for _, in := range inputs {
		f := readFinding(t, in)
		if e, ok := finding.Lookup(f.EventSource, f.EventName); ok {
			covered[e.EventSource+" "+e.EventName] = true
		}
	}
	for _, e := range finding.Catalog() {
		if !covered[e.EventSource+" "+e.EventName] {
			t.Errorf("no alert golden (testdata/*.finding.json) for %s %s", e.EventSource, e.EventName)
		}
	}
}

// TestStructured: machine protocols get the document, everything else the
// text; a message without a document is the text for all.
func TestStructured(t *testing.T) {
	m := alert.Render(sgFinding())
	var got map[string]string
	if err := json.Unmarshal([]byte(alert.Structured(m)), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"default": m.Body, "sqs": string(m.Document), "https": string(m.Document), "lambda": string(m.Document)}
	if len(got) != len(want) {
		t.Errorf("keys %v, want %v", keys(got), keys(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s differs from what it should carry", k)
		}
	}
	var plain map[string]string
	if err := json.Unmarshal([]byte(alert.Structured(alert.Message{Body: "b"})), &plain); err != nil || len(plain) != 1 || plain["default"] != "b" {
		t.Errorf("without a document: %v, %v; want only default", plain, err)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hostile is text a user can put in a finding that chat clients would
// read as markup or as a link.
const hostile = "<script>alert(1)</script> [link](http://evil.example) <https://evil.example|click> @channel <!here> *bold* `code` ~strike~ &lt;b&gt;"

// TestChatIsText: user-controlled text reaches chat as text, never as
// markup, wherever the chat message carries it; the subject and body,
// plain text for e-mail, keep it as it was (cut to one line), and the
// console links stay links.
func TestChatIsText(t *testing.T) {
	f := sgFinding()
	f.Resources[0].Name = hostile
	f.Resources[0].ID = "sg-1 " + hostile
	f.Summary = hostile
	f.Actor.ARN = hostile
	f.Actor.UserAgent = hostile
	f.ErrorMessage = hostile
	f.Account = hostile
	f.Region = hostile
	m := alert.Render(f)
	c := checkChat(t, m.Chat)
	fields := append([]string{c.ID, c.Content.Title, c.Content.Description, c.Metadata.ThreadID, c.Metadata.Summary, c.Metadata.EventType},
		c.Content.Keywords...)
	fields = append(fields, c.Metadata.RelatedResources...)
	for _, v := range c.Metadata.AdditionalContext {
		fields = append(fields, v)
	}
	var links int
	for _, s := range c.Content.NextSteps {
		text, u, ok := strings.Cut(s, ": https://")
		if ok {
			links++
			if strings.ContainsAny(u, "<>|[] ") {
				t.Errorf("console link %q holds markup", u)
			}
		}
		fields = append(fields, text)
	}
	if links == 0 {
		t.Errorf("no console link in the next steps %q", c.Content.NextSteps)
	}
	for _, v := range fields {
		for _, bad := range []string{"<script>", "[link](", "http://evil", "<https://", "|click>", "@channel", "<!here>", "*bold*", "`code`", "~strike~", "&lt;"} {
			if strings.Contains(v, bad) {
				t.Errorf("chat field %q holds %q verbatim", v, bad)
			}
		}
	}
	if !strings.Contains(c.Content.Description, "\u2039script\u203A") {
		t.Errorf("description %q does not show the text as text", c.Content.Description)
	}
	if !strings.Contains(m.Body, "<script>alert(1)</script> [link](http://evil.example)") {
		t.Errorf("the e-mail body does not keep the text as it was")
	}
}

// TestAlertIDThreadsMessages: the document's id and the chat's thread are
// the alert's id when there is one, else the finding's alert key, so an
// alert and its resolution thread together.
func TestAlertIDThreadsMessages(t *testing.T) {
	f := sgFinding()
	for _, tc := range []struct {
		name string
		req  finding.NotifyRequest
		want string
	}{
		{"before lifecycles", finding.NotifyRequest{Finding: f}, finding.AlertKey(f)},
		{"alert", finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f, Alert: alertLifecycle()}, "alert-1"},
		{"resolved", finding.NotifyRequest{Kind: finding.MessageResolved, Finding: f, Alert: alertLifecycle()}, "alert-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := alert.WithFormats(tc.req, alert.Message{Subject: "s", Body: "b"})
			var d struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(m.Document, &d); err != nil {
				t.Fatal(err)
			}
			c := checkChat(t, m.Chat)
			if d.ID != tc.want || c.Metadata.ThreadID != tc.want || c.ID != tc.want {
				t.Errorf("document id %q, chat thread %q, chat id %q; want %q", d.ID, c.Metadata.ThreadID, c.ID, tc.want)
			}
			validateDocument(t, m.Document)
		})
	}
}

func alertLifecycle() *finding.Alert {
	t0 := time.Date(2024, 10, 14, 14, 11, 38, 0, time.UTC)
	resolved := t0.Add(3 * time.Hour)
	return &finding.Alert{
		ID: "alert-1", Key: strings.Repeat("a", 64), Status: finding.AlertResolved, FirstSeen: t0, LastSeen: t0.Add(time.Hour),
		ResolvedAt: &resolved, Events: 3, Repeats: 2, OpenedBy: "arn:aws:iam::123456789012:user/alice", ClosedBy: "arn:aws:iam::123456789012:user/bob",
		Severity: finding.SeverityHigh, Exposure: []string{"sg-1 allows tcp/3389 from 0.0.0.0/0"}, Closed: []string{"sg-1 allows tcp/3389 from 0.0.0.0/0"},
	}
}

// TestEveryKindRendersThreeWays: updates, resolutions and digests (whose
// e-mail text is rendered elsewhere) get a document that validates and a
// chat message with every required field.
func TestEveryKindRendersThreeWays(t *testing.T) {
	f := sgFinding()
	held := digest(3)
	for _, tc := range []struct {
		name string
		req  finding.NotifyRequest
	}{
		{"update", finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: f, Alert: alertLifecycle(), ExecutionID: "exec-1"}},
		{"resolved", finding.NotifyRequest{Kind: finding.MessageResolved, Finding: f, Alert: alertLifecycle()}},
		{"digest", finding.NotifyRequest{Kind: finding.MessageDigest, Digest: held}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := alert.WithFormats(tc.req, alert.Message{Subject: "[HIGH] " + tc.name, Body: tc.name + " body\n"})
			validateDocument(t, m.Document)
			c := checkChat(t, m.Chat)
			if got, want := c.Metadata.EventType, alert.ChatEventType+string(tc.req.Kind); got != want {
				t.Errorf("eventType %q, want %q", got, want)
			}
			if messageSize(m) > deployment.Facts.Quotas.SNSMessageBytes.Value {
				t.Errorf("message of %d bytes", messageSize(m))
			}
		})
	}
}

func digest(n int) *finding.Digest {
	t0 := time.Date(2024, 10, 14, 14, 0, 0, 0, time.UTC)
	d := &finding.Digest{ID: "digest-1", Account: "123456789012", Actor: "arn:aws:sts::123456789012:assumed-role/fleet/launcher",
		EventName: "RunInstances", PeriodStart: t0, PeriodEnd: t0.Add(5 * time.Minute), Threshold: 5}
	for i := range n {
		d.Held = append(d.Held, finding.DigestEntry{
			AlertID: fmt.Sprintf("alert-%04d", i), Key: fmt.Sprintf("%064x", i), EventID: fmt.Sprintf("e0a1b2c3-0000-4000-8000-%012d", i),
			Time: t0.Add(time.Duration(i) * time.Second), Severity: finding.SeverityHigh, Region: "us-east-1",
			Summary:   fmt.Sprintf("arn:aws:sts::123456789012:assumed-role/fleet/launcher launched i-%017d with a public IP", i),
			Resources: []finding.Resource{{Type: finding.TypeInstance, ID: fmt.Sprintf("i-%017d", i)}},
		})
	}
	return d
}

// TestDigestDocumentListsEveryHeldAlert: a storm's digest lists all its
// held alerts in the document, and when there are more than fit, as many
// as fit, with the whole count.
func TestDigestDocumentListsEveryHeldAlert(t *testing.T) {
	for _, tc := range []struct {
		held    int
		all     bool
		minimum int
	}{{200, true, 200}, {2000, false, 200}} {
		t.Run(fmt.Sprint(tc.held), func(t *testing.T) {
			m := alert.WithFormats(finding.NotifyRequest{Kind: finding.MessageDigest, Digest: digest(tc.held)},
				alert.Message{Subject: "[HIGH] digest", Body: strings.Repeat("a held alert\n", 20)})
			validateDocument(t, m.Document)
			var d struct {
				Truncated bool `json:"truncated"`
				Digest    struct {
					Held      []json.RawMessage `json:"held"`
					HeldCount int               `json:"heldCount"`
				} `json:"digest"`
			}
			if err := json.Unmarshal(m.Document, &d); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d of %d held alerts listed, message of %d bytes", len(d.Digest.Held), tc.held, messageSize(m))
			if d.Digest.HeldCount != tc.held || (len(d.Digest.Held) == tc.held) != tc.all || len(d.Digest.Held) < tc.minimum || d.Truncated == tc.all {
				t.Errorf("heldCount %d, %d held listed, truncated %v; want count %d, all listed %v, at least %d", d.Digest.HeldCount, len(d.Digest.Held), d.Truncated, tc.held, tc.all, tc.minimum)
			}
			if n := messageSize(m); n > deployment.Facts.Quotas.SNSMessageBytes.Value {
				t.Errorf("message of %d bytes, SNS takes %d", n, deployment.Facts.Quotas.SNSMessageBytes.Value)
			}
		})
	}
}

// TestLargestMessagesFitSNS: whatever the finding holds (long strings full
// of characters JSON escapes, thousands of rules and resources), the
// structured message, subject and attributes fit SNS's quota, the
// document validates, and what was cut says so.
func TestLargestMessagesFitSNS(t *testing.T) {
	nasty := strings.Repeat(`"\<`, 1400)
	f := sgFinding()
	f.Summary, f.ErrorMessage, f.Actor.UserAgent = nasty, nasty, nasty
	for i := range 3000 {
		f.Resources = append(f.Resources, finding.Resource{Type: finding.TypeInstance, ID: fmt.Sprintf("i-%04d%s", i, nasty[:60]),
			OpenIngress: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}}})
	}
	m := alert.Render(f)
	if n := messageSize(m); n > deployment.Facts.Quotas.SNSMessageBytes.Value {
		t.Errorf("message of %d bytes, SNS takes %d", n, deployment.Facts.Quotas.SNSMessageBytes.Value)
	}
	validateDocument(t, m.Document)
	if !bytes.Contains(m.Document, []byte(`"truncated":true`)) {
		t.Errorf("a cut document does not say truncated")
	}
	checkChat(t, m.Chat)
}

// BenchmarkRender measures rendering one alert three ways: go test -bench
// Render -benchmem ./functions/shared/alert
func BenchmarkRender(b *testing.B) {
	f := readFinding(&testing.T{}, "testdata/sg-rdp-world-open.finding.json")
	b.ReportAllocs()
	for b.Loop() {
		alert.Render(f)
	}
}

// TestDocumentCarriesTheLifecycle: the document of an update or
// resolution has the alert's lifecycle fields, counts of lines left out
// and its digest included; a digest's document lists what went out at
// once, every entry's kind, and counts in heldCount the entries the digest
// itself left out; every such document validates.
func TestDocumentCarriesTheLifecycle(t *testing.T) {
	a := alertLifecycle()
	a.MoreExposure, a.MoreClosed, a.MoreStillOpen, a.DigestID = 4, 3, 2, "digest-9"
	m := alert.WithFormats(finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: sgFinding(), Alert: a},
		alert.Closure(finding.MessageUpdate, sgFinding(), a))
	validateDocument(t, m.Document)
	var doc struct {
		Alert struct {
			MoreExposure, MoreClosed, MoreStillOpen int
			DigestID                                string `json:"digestId"`
		} `json:"alert"`
	}
	if err := json.Unmarshal(m.Document, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Alert; got.MoreExposure != 4 || got.MoreClosed != 3 || got.MoreStillOpen != 2 || got.DigestID != "digest-9" {
		t.Errorf("document's alert %+v, want the lifecycle's counts and digest", got)
	}
	if c := checkChat(t, m.Chat); !strings.Contains(c.Content.Description, "Closed: 3 more") || !strings.Contains(c.Content.Description, "Still open: 2 more") {
		t.Errorf("chat description %q does not count the lines left out", c.Content.Description)
	}

	d := digest(4)
	d.Sent, d.Held = d.Held[:2], d.Held[2:]
	d.Held[1].Kind = finding.MessageResolved
	d.MoreHeld = 7
	m = alert.WithFormats(finding.NotifyRequest{Kind: finding.MessageDigest, Digest: d}, alert.Digest(d))
	validateDocument(t, m.Document)
	var dd struct {
		Digest struct {
			Held, Sent []struct {
				Kind    string `json:"kind"`
				AlertID string `json:"alertId"`
			}
			MoreHeld  int `json:"moreHeld"`
			HeldCount int `json:"heldCount"`
		} `json:"digest"`
	}
	if err := json.Unmarshal(m.Document, &dd); err != nil {
		t.Fatal(err)
	}
	g := dd.Digest
	if len(g.Sent) != 2 || g.Sent[0].AlertID != "alert-0000" || len(g.Held) != 2 || g.MoreHeld != 7 || g.HeldCount != 9 {
		t.Errorf("digest document sent %v held %v moreHeld %d heldCount %d; want 2 sent, 2 held, 7 more, 9 in all", g.Sent, g.Held, g.MoreHeld, g.HeldCount)
	}
	if len(g.Held) == 2 && (g.Held[0].Kind != "alert" || g.Held[1].Kind != "resolved") {
		t.Errorf("held kinds %q, %q; want alert, resolved", g.Held[0].Kind, g.Held[1].Kind)
	}
	if c := checkChat(t, m.Chat); !strings.Contains(c.Content.Description, "9 messages held back") || !strings.Contains(c.Content.Description, "the first 2 went out at once") {
		t.Errorf("chat description %q does not count the storm", c.Content.Description)
	}
}
