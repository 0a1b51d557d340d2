package finding

import "testing"

func TestPutEventSelectors(t *testing.T) {
	const fixture = "cloudtrail-puteventselectors-no-management.json"
	e := entry(t, evasionCatalog, "PutEventSelectors")
	tests := []struct {
		name, params string
		evasion      bool
	}{
		{"all management events", `{"trailName":"t","eventSelectors":[{"readWriteType":"All","includeManagementEvents":true}]}`, false},
		{"defaults", `{"trailName":"t","eventSelectors":[{}]}`, false},
		{"write-only kept by a second selector", `{"trailName":"t","eventSelectors":[{"readWriteType":"All","includeManagementEvents":false},{"readWriteType":"WriteOnly","includeManagementEvents":true}]}`, false},
		{"read-only management events", `{"trailName":"t","eventSelectors":[{"readWriteType":"ReadOnly","includeManagementEvents":true}]}`, true},
		{"readWriteType None", `{"trailName":"t","eventSelectors":[{"readWriteType":"None","includeManagementEvents":true}]}`, true},
		{"no selectors", `{"trailName":"t","eventSelectors":[]}`, true},
		{"advanced, management", `{"trailName":"t","advancedEventSelectors":[{"name":"m","fieldSelectors":[{"field":"eventCategory","equals":["Management"]}]}]}`, false},
		{"advanced, data only", `{"trailName":"t","advancedEventSelectors":[{"name":"d","fieldSelectors":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::S3::Object"]}]}]}`, true},
		{"advanced, management read-only", `{"trailName":"t","advancedEventSelectors":[{"fieldSelectors":[{"field":"eventCategory","equals":["Management"]},{"field":"readOnly","equals":["true"]}]}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, e, fixture, tc.params, "null")
			if err != nil {
				t.Fatal(err)
			}
			want, wantSev := CategoryAudit, SeverityNone
			if tc.evasion {
				want, wantSev = CategoryDefenseEvasion, SeverityHigh
			}
			if f.Category != want || f.Severity != wantSev {
				t.Errorf("category %s severity %s, want %s %s", f.Category, f.Severity, want, wantSev)
			}
		})
	}
}

func TestConsoleLoginFailureWithoutErrorCode(t *testing.T) {
	e := entry(t, evasionCatalog, "ConsoleLogin")
	f, err := parseEntry(t, e, "signin-consolelogin-root.json", "null", `{"ConsoleLogin":"Failure"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Failed() || f.Severity != SeverityLow {
		t.Errorf("failed=%v severity %s, want a failed attempt (low)", f.Failed(), f.Severity)
	}
	if e.EventBridgeDetailType() != DetailTypeConsoleLogin {
		t.Errorf("detail type %q", e.EventBridgeDetailType())
	}
}
