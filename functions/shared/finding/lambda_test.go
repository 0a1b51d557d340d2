package finding

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddPermissionFamily(t *testing.T) {
	for _, name := range []string{"AddPermission", "AddPermission20150331", "AddPermission20150331v2"} {
		if e, ok := Lookup("lambda.amazonaws.com", name); !ok || e.EventName != "AddPermission" {
			t.Errorf("Lookup(%s) = %v, %v", name, e.EventName, ok)
		}
	}
	e := entry(t, lambdaCatalog, "AddPermission")
	tests := []grantCase{
		{"anyone", `{"functionName":"fn","action":"lambda:InvokeFunction","principal":"*","statementId":"s"}`, []string{"Principal * lambda:InvokeFunction"}},
		{"anyone, function URL without auth", `{"functionName":"fn","action":"lambda:InvokeFunctionUrl","principal":"*","functionUrlAuthType":"NONE","statementId":"s"}`,
			[]string{"Principal * lambda:InvokeFunctionUrl (functionUrlAuthType NONE)"}},
		{"anyone from one source ARN", `{"functionName":"fn","action":"lambda:InvokeFunction","principal":"*","sourceArn":"arn:aws:s3:::b"}`, nil},
		{"anyone from one account", `{"functionName":"fn","action":"lambda:InvokeFunction","principal":"*","sourceAccount":"111122223333"}`, nil},
		{"anyone in the organization", `{"functionName":"fn","action":"lambda:InvokeFunction","principal":"*","principalOrgID":"o-1"}`, nil},
		{"a service", `{"functionName":"fn","action":"lambda:InvokeFunction","principal":"s3.amazonaws.com"}`, nil},
	}
	checkGrants(t, e, "lambda-addpermission20150331v2-public.json", false, tests)
}

// TestFunctionURLConfig uses the request shape of the Lambda API reference
// (CreateFunctionUrlConfig / UpdateFunctionUrlConfig: FunctionName,
// AuthType NONE | AWS_IAM; response FunctionArn, AuthType, FunctionUrl).
// No real CloudTrail record was found; the catalog's fixtures for these
// entries are constructed from the same shape (README.md).
func TestFunctionURLConfig(t *testing.T) {
	tests := []struct {
		name, event, params, resp string
		opens, closes             bool
	}{
		{"create without auth", "CreateFunctionUrlConfig", `{"functionName":"fn","authType":"NONE"}`,
			`{"functionArn":"arn:aws:lambda:us-east-1:123456789012:function:fn","authType":"NONE","functionUrl":"https://x.lambda-url.us-east-1.on.aws/"}`, true, false},
		{"create with IAM auth", "CreateFunctionUrlConfig", `{"functionName":"fn","authType":"AWS_IAM"}`, "null", false, false},
		{"update to no auth", "UpdateFunctionUrlConfig", `{"functionName":"fn","authType":"NONE"}`, "null", true, false},
		{"update to IAM auth", "UpdateFunctionUrlConfig", `{"functionName":"fn","authType":"AWS_IAM"}`, "null", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, entry(t, lambdaFunctionURLCatalog, tc.event), "lambda-addpermission20150331v2-public.json", tc.params, tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			if f.OpensExposure != tc.opens || f.Requested.PublicAccess != tc.opens || f.ClosesExposure != tc.closes {
				t.Errorf("opens=%v publicAccess=%v closes=%v, want opens %v closes %v", f.OpensExposure, f.Requested.PublicAccess, f.ClosesExposure, tc.opens, tc.closes)
			}
			if got, want := f.Resources, []Resource{{Type: TypeFunction, ID: "fn"}}; !cmp.Equal(got, want) {
				t.Errorf("resources %v, want %v", got, want)
			}
		})
	}
}
