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

// TestLambdaClosingCalls: RemovePermission names only the statement id
// (API_RemovePermission: FunctionName, StatementId), a candidate close;
// DeleteFunctionUrlConfig (API_DeleteFunctionUrlConfig: FunctionName)
// closes the URL. Both are families.
func TestLambdaClosingCalls(t *testing.T) {
	for _, name := range []string{"RemovePermission20150331", "RemovePermission20150331v2", "DeleteFunctionUrlConfig20211031"} {
		if _, ok := Lookup(lambdaSource, name); !ok {
			t.Errorf("Lookup(%s) found nothing", name)
		}
	}
	remove, del := entry(t, lambdaCatalog, "RemovePermission"), entry(t, lambdaFunctionURLCatalog, "DeleteFunctionUrlConfig")
	f, err := parseEntry(t, remove, "lambda-removepermission20150331v2-constructed.json", `{"functionName":"fn","statementId":"public"}`, "")
	if err != nil {
		t.Fatal(err)
	}
	if !f.ClosesExposure || f.OpensExposure || !cmp.Equal(f.Requested.Removed, []string{"public"}) || f.Resources[0].ID != "fn" {
		t.Errorf("RemovePermission: closes %v opens %v removed %v resources %v", f.ClosesExposure, f.OpensExposure, f.Requested.Removed, f.Resources)
	}
	for _, tc := range []struct {
		e      Entry
		params string
	}{{remove, `{"statementId":"public"}`}, {remove, `{"functionName":7}`}, {del, `{"qualifier":"prod"}`}} {
		if _, err := parseEntry(t, tc.e, "lambda-removepermission20150331v2-constructed.json", tc.params, ""); err == nil {
			t.Errorf("%s %s: parsed, want a *MalformedEventError", tc.e.EventName, tc.params)
		} else if _, ok := err.(*MalformedEventError); !ok {
			t.Errorf("%s %s: %T, want a *MalformedEventError", tc.e.EventName, tc.params, err)
		}
	}
}

// TestDeletionsNeedTheirResource: every deletion names what it deleted, or
// the event is malformed.
func TestDeletionsNeedTheirResource(t *testing.T) {
	for _, tc := range []struct {
		entries []Entry
		name    string
	}{
		{rdsCatalog, "DeleteDBInstance"}, {rdsCatalog, "DeleteDBSnapshot"}, {redshiftCatalog, "DeleteCluster"},
		{s3Catalog, "DeleteBucketPolicy"}, {s3Catalog, "DeleteBucket"}, {ec2SharingCatalog, "DeleteSnapshot"}, {ec2SharingCatalog, "DeregisterImage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseEntry(t, entry(t, tc.entries, tc.name), "rds-deletedbinstance.json", `{"deleteAutomatedBackups":true}`, "")
			if _, ok := err.(*MalformedEventError); !ok {
				t.Errorf("error %v, want a *MalformedEventError", err)
			}
		})
	}
}
