package alert_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the current output")

// TestRenderGolden renders every testdata/<case>.finding.json and compares
// the message with testdata/<case>.golden.txt.
func TestRenderGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.finding.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata/*.finding.json")
	}
	cases := map[string]bool{}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".finding.json")
		cases[name] = true
		t.Run(name, func(t *testing.T) {
			f := readFinding(t, in)
			m := alert.Render(f)
			checkMessage(t, m)
			validateDocument(t, m.Document)
			checkGolden(t, filepath.Join("testdata", name+".golden.txt"), formatMessage(t, m))
		})
	}
	goldens, _ := filepath.Glob("testdata/*.golden.txt")
	for _, g := range goldens {
		if name := strings.TrimSuffix(filepath.Base(g), ".golden.txt"); !cases[name] {
			t.Errorf("%s has no testdata/%s.finding.json", g, name)
		}
	}
}

// checkGolden compares got with the golden file, or with -update writes
// it.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./alert -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test ./alert -update and review the diff):\n%s", golden, lineDiff(string(want), got))
	}
}

func readFinding(t *testing.T, path string) *finding.Finding {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f finding.Finding
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &f
}

// formatMessage is the golden form: subject, sorted attributes, body, and
// the chat notification, indented.
func formatMessage(t *testing.T, m alert.Message) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: %s\n\nAttributes:\n", m.Subject)
	keys := make([]string, 0, len(m.Attributes))
	for k := range m.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s=%s\n", k, m.Attributes[k])
	}
	fmt.Fprintf(&b, "\nBody:\n%s", m.Body)
	var chat bytes.Buffer
	if err := json.Indent(&chat, m.Chat, "", "  "); err != nil {
		t.Fatalf("chat is not JSON: %v", err)
	}
	fmt.Fprintf(&b, "\nChat:\n%s\n", chat.String())
	return b.String()
}

// lineDiff shows the first line where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

// checkMessage asserts what every rendered message must satisfy.
func checkMessage(t *testing.T, m alert.Message) {
	t.Helper()
	if err := validSubject(m.Subject); err != nil {
		t.Errorf("subject %q: %v", m.Subject, err)
	}
	if !utf8.ValidString(m.Body) {
		t.Errorf("body is not valid UTF-8")
	}
	if len(m.Body) > alert.MaxBodyBytes {
		t.Errorf("body is %d bytes, want at most %d", len(m.Body), alert.MaxBodyBytes)
	}
	for _, r := range m.Body {
		if r != '\n' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u202e') {
			t.Errorf("body holds control character %U", r)
			break
		}
	}
	checkChat(t, m.Chat)
	if !json.Valid(m.Document) {
		t.Errorf("document is not JSON: %.200s", m.Document)
	}
	if n := messageSize(m); n > deployment.Facts.Quotas.SNSMessageBytes.Value {
		t.Errorf("structured message with subject and attributes is %d bytes, SNS takes at most %d", n, deployment.Facts.Quotas.SNSMessageBytes.Value)
	}
	if m.Attributes[alert.AttrOpensExposure] != "true" && m.Attributes[alert.AttrOpensExposure] != "false" {
		t.Errorf("opens_exposure = %q, want true or false", m.Attributes[alert.AttrOpensExposure])
	}
	for k, v := range m.Attributes {
		if v == "" || strings.ContainsAny(v, "\n\r") {
			t.Errorf("attribute %s = %q: empty or multi-line", k, v)
		}
	}
}

// sgFinding is a small valid finding the table tests vary.
func sgFinding() *finding.Finding {
	return &finding.Finding{
		EventID:     "e-1",
		EventName:   "AuthorizeSecurityGroupIngress",
		EventSource: "ec2.amazonaws.com",
		Account:     "123456789012",
		Region:      "us-east-1",
		Time:        time.Date(2024, 10, 14, 14, 11, 38, 0, time.UTC),
		Actor:       finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/alice"},
		Resources:   []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-0f63fecfa17ef4fee"}},
		Category:    finding.CategoryNetwork,
		Severity:    finding.SeverityHigh,
		Requested: finding.Requested{IngressRules: []finding.Rule{
			{Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "0.0.0.0/0", WorldOpen: true},
		}},
		OpensExposure: true,
	}
}

func TestRenderSubject(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *finding.Finding)
		want   string
	}{
		{"world-open rule", func(f *finding.Finding) {},
			"[HIGH] 3389/tcp opened to the world on sg-0f63fecfa17ef4fee (123456789012 us-east-1)"},
		{"short event name fits", func(f *finding.Finding) { f.EventName = "Authorize" },
			"[HIGH] Authorize: 3389/tcp opened to the world on sg-0f63fecfa17ef4fee (123456789012 us-east-1)"},
		{"several ports, deduplicated", func(f *finding.Finding) {
			f.Requested.IngressRules = []finding.Rule{
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true},
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "::/0", WorldOpen: true},
				{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: "10.0.0.0/8"},
				{Protocol: "udp", FromPort: 1000, ToPort: 2000, CIDR: "0.0.0.0/0", WorldOpen: true},
				{Protocol: "tcp", FromPort: 0, ToPort: 65535, CIDR: "::/0", WorldOpen: true},
				{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0", WorldOpen: true},
			}
		}, "[HIGH] 22/tcp, 1000-2000/udp, all tcp ports +1 more opened to the world (123456789012 us-east-1)"},
		{"very long resource id keeps severity and place", func(f *finding.Finding) {
			f.Resources[0].ID = "sg-" + strings.Repeat("0123456789", 50)
		}, "[HIGH] 3389/tcp opened to the world on sg-0123456789012345678901... (123456789012 us-east-1)"},
		{"refused call", func(f *finding.Finding) {
			f.ErrorCode, f.Severity = "Client.UnauthorizedOperation", finding.SeverityLow
		}, "[LOW] AuthorizeSecurityGroupIngress refused on sg-0f63fecfa17ef4fee (123456789012 us-east-1)"},
		{"non-ASCII and line breaks in fields", func(f *finding.Finding) {
			f.Account, f.Region = "1234\n5678", "eu-wést-1\r\n"
		}, "[HIGH] 3389/tcp opened to the world on sg-0f63fecfa17ef4fee (1234 5678 eu-west-1)"},
		{"huge account and region still leave room", func(f *finding.Finding) {
			f.Account, f.Region = strings.Repeat("9", 200), strings.Repeat("r", 200)
		}, "[HIGH] 3389/tcp opened to the world on sg-0f63fecfa17ef4fee (999999999999999999999999999999999...)"},
		{"unknown severity", func(f *finding.Finding) { f.Severity = "" },
			"[UNRATED] 3389/tcp opened to the world on sg-0f63fecfa17ef4fee (123456789012 us-east-1)"},
		{"no resources", func(f *finding.Finding) { f.Resources = nil },
			"[HIGH] AuthorizeSecurityGroupIngress: 3389/tcp opened to the world (123456789012 us-east-1)"},
		{"empty finding", func(f *finding.Finding) { *f = finding.Finding{} },
			"[UNRATED] API call"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sgFinding()
			tc.change(f)
			m := alert.Render(f)
			if got := m.Subject; got != tc.want {
				t.Errorf("subject\n got %q\nwant %q", got, tc.want)
			}
			checkMessage(t, m)
		})
	}
}

func TestRenderAttributes(t *testing.T) {
	f := sgFinding()
	f.Resources = append(f.Resources, finding.Resource{Type: finding.TypeInstance, ID: "i-1"})
	got := alert.Render(f).Attributes
	want := map[string]string{
		"severity": "high", "event_name": "AuthorizeSecurityGroupIngress", "event_source": "ec2.amazonaws.com",
		"account": "123456789012", "region": "us-east-1", "category": "network",
		"resource_type": "ec2:security-group", "opens_exposure": "true",
	}
	if len(got) != len(want) {
		t.Errorf("attributes = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, got[k], v)
		}
	}

	empty := alert.Render(&finding.Finding{}).Attributes
	if len(empty) != 1 || empty["opens_exposure"] != "false" {
		t.Errorf("attributes of an empty finding = %v, want only opens_exposure=false (SNS refuses empty values)", empty)
	}
}

func TestRenderBody(t *testing.T) {
	for _, tc := range []struct {
		name        string
		change      func(f *finding.Finding)
		contains    []string
		notContains []string
	}{
		{"console links",
			func(f *finding.Finding) {
				f.Resources = []finding.Resource{
					{Type: finding.TypeInstance, ID: "i-0abc"},
					{Type: finding.TypeElasticIP, ID: "203.0.113.9"},
					{Type: finding.TypeNetworkInterface, ID: "eni-0abc"},
					{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/1"},
					{Type: finding.TypeBucket, ID: "my-bucket"},
					{Type: finding.TypeObject, ID: "my-bucket/a dir/ü&b=c.txt", Name: "my-bucket"},
				}
			},
			[]string{
				"https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0abc",
				"https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Addresses:public-ip=203.0.113.9",
				"https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#NetworkInterface:networkInterfaceId=eni-0abc",
				"#LoadBalancers:search=arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A123456789012%3Aloadbalancer%2Fnet%2Fnlb%2F1",
				"https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1",
				"https://s3.console.aws.amazon.com/s3/object/my-bucket?region=us-east-1&prefix=a+dir%2F%C3%BC%26b%3Dc.txt",
				"https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/e-1",
			}, nil},
		{"a region that is not a host name is kept out of the host",
			func(f *finding.Finding) { f.Region = "evil.example.com/x" },
			[]string{"https://console.aws.amazon.com/ec2/home#SecurityGroup:groupId=sg-0f63fecfa17ef4fee"},
			[]string{"evil.example.com/x.console", "evil.example.com/x#"}},
		{"values cannot forge lines",
			func(f *finding.Finding) {
				f.Actor.UserAgent = "curl\nSeverity: NONE\r\nWhat to do\u2028ignore this"
				f.Summary = "sum\nmary"
			},
			[]string{"curl Severity: NONE What to do ignore this", "sum mary\n"},
			[]string{"\nSeverity: NONE"}},
		{"failed call",
			func(f *finding.Finding) {
				f.ErrorCode = "AccessDenied"
				f.ErrorMessage = "not allowed. Encoded authorization failure message: SECRETBLOB"
			},
			[]string{"attempted, refused: AccessDenied", "not allowed. (encoded authorization message omitted)", "Nothing was changed"},
			[]string{"SECRETBLOB"}},
		{"not enriched says so",
			func(f *finding.Finding) { f.Enriched = false },
			[]string{"the facts below are from the request only"}, nil},
		{"enriched with nothing found says none",
			func(f *finding.Finding) {
				found := true
				f.Enriched = true
				f.Resources[0].Found = &found
			},
			[]string{"World-open ingress:  none", "Public IPs in group: none"},
			[]string{"from the request only"}},
		{"deleted resource",
			func(f *finding.Finding) {
				found := false
				f.Enriched = true
				f.Resources[0].Found = &found
			},
			[]string{"not found when looked up"}, nil},
		{"many resources are capped",
			func(f *finding.Finding) {
				f.Resources = nil
				for i := range 500 {
					f.Resources = append(f.Resources, finding.Resource{Type: finding.TypeInstance, ID: fmt.Sprintf("i-%04d", i)})
				}
			},
			[]string{"... and 475 more resources"}, []string{"i-0499"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sgFinding()
			tc.change(f)
			m := alert.Render(f)
			checkMessage(t, m)
			for _, s := range tc.contains {
				if !strings.Contains(m.Body, s) {
					t.Errorf("body does not contain %q:\n%s", s, m.Body)
				}
			}
			for _, s := range tc.notContains {
				if strings.Contains(m.Body, s) {
					t.Errorf("body contains %q:\n%s", s, m.Body)
				}
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	f.Add("AuthorizeSecurityGroupIngress", "123456789012", "us-east-1", "sg-1", "high", "", "alice", "summary")
	f.Add("", "", "", "", "", "Code\n", "渡辺\u202e", "\xff")
	f.Fuzz(func(t *testing.T, event, account, region, id, sev, code, user, summary string) {
		fd := &finding.Finding{
			EventID: id, EventName: event, Account: account, Region: region, Severity: finding.Severity(sev),
			ErrorCode: code, ErrorMessage: summary, Summary: summary,
			Actor:     finding.Actor{UserName: user, UserAgent: user},
			Resources: []finding.Resource{{Type: finding.TypeObject, ID: id, Name: user, SecurityGroups: []string{id}}},
			Requested: finding.Requested{IngressRules: []finding.Rule{{Protocol: code, CIDR: "0.0.0.0/0", WorldOpen: true}}},
		}
		checkMessage(t, alert.Render(fd))
	})
}
