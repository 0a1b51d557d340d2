package finding

import (
	"cmp"
	"strings"
)

// parseAddPermission reads AddPermission (any API-version suffix): a
// statement for principal "*" with no sourceArn, sourceAccount,
// principalOrgID or eventSourceToken lets anyone invoke the function.
func parseAddPermission(rec *record, f *Finding) error {
	var req struct {
		FunctionName        string `json:"functionName"`
		Action              string `json:"action"`
		Principal           string `json:"principal"`
		SourceArn           string `json:"sourceArn"`
		SourceAccount       string `json:"sourceAccount"`
		PrincipalOrgID      string `json:"principalOrgID"`
		EventSourceToken    string `json:"eventSourceToken"`
		FunctionURLAuthType string `json:"functionUrlAuthType"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeFunction, ID: req.FunctionName}, "requestParameters has no functionName"); err != nil {
		return err
	}
	restricted := req.SourceArn != "" || req.SourceAccount != "" || req.PrincipalOrgID != "" || req.EventSourceToken != ""
	if req.Principal != "*" || restricted {
		return nil
	}
	grant := "Principal * " + cmp.Or(req.Action, "lambda:InvokeFunction")
	if req.FunctionURLAuthType != "" {
		grant += " (functionUrlAuthType " + req.FunctionURLAuthType + ")"
	}
	f.Requested.PublicAccess = true
	f.Requested.Grants = []string{grant}
	f.OpensExposure = true
	return nil
}

// parseFunctionURLConfig reads CreateFunctionUrlConfig and
// UpdateFunctionUrlConfig (any API-version suffix): authType NONE gives the
// function a URL anyone can call (with the resource-based policy AddPermission
// grants for principal "*" and functionUrlAuthType NONE, which Lambda's
// console adds with it); an update to AWS_IAM closes that.
func parseFunctionURLConfig(rec *record, f *Finding) error {
	var req struct {
		FunctionName string `json:"functionName"`
		AuthType     string `json:"authType"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		FunctionArn string `json:"functionArn"`
		AuthType    string `json:"authType"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	id := cmp.Or(req.FunctionName, resp.FunctionArn)
	if err := addResource(f, Resource{Type: TypeFunction, ID: id}, "requestParameters has no functionName"); err != nil {
		return err
	}
	switch cmp.Or(resp.AuthType, req.AuthType) {
	case "NONE":
		f.Requested.PublicAccess = true
		f.Requested.Grants = []string{"function URL authType NONE"}
		f.OpensExposure = true
	case "AWS_IAM":
		f.ClosesExposure = !strings.HasPrefix(rec.EventName, "Create")
	}
	return nil
}

// parseRemovePermission reads RemovePermission (any API-version suffix):
// a statement leaves the function's resource policy. The request names
// only the statement id (Requested.Removed), not what it granted, so it is
// a candidate close: whether an open alert's exposure is gone is decided
// against the alert's grants and the function's live policy.
func parseRemovePermission(rec *record, f *Finding) error {
	req, id, err := paramsWithID(rec, "functionName")
	if err != nil {
		return err
	}
	f.Resources = append(f.Resources, Resource{Type: TypeFunction, ID: id})
	var statement string
	if _, err := decodeMember(req, "statementId", &statement); err != nil {
		return err
	}
	if statement != "" {
		f.Requested.Removed = []string{statement}
	}
	f.ClosesExposure = true
	return nil
}

// lambdaSource is the eventSource of Lambda events.
const lambdaSource = "lambda.amazonaws.com"

// functionURLAdvice is what to do about a function URL anyone can call.
const functionURLAdvice = "Set the URL's auth type to AWS_IAM (or delete the URL) unless the function is meant to be a public endpoint; check what it does, with its role's permissions, when anyone calls it."

// lambdaCatalog are the catalog entries parsed in this file. Lambda's event
// names carry API-version suffixes (AddPermission20150331v2,
// RemovePermission20150331v2), so each entry is a Family.
var lambdaCatalog = []Entry{
	{EventSource: lambdaSource, EventName: "AddPermission", Family: true, Category: CategoryServerless, Effect: EffectOpens,
		Description: "Adds a statement to a function's resource policy; principal \"*\" without sourceArn, sourceAccount or principalOrgID lets anyone invoke it.",
		parse:       parseAddPermission,
		Words: Words{
			Headline: []string{"{target} invocable by anyone ({grants})", "{target} invocable by anyone"},
			Advice:   "Remove the statement (RemovePermission) or restrict it with a source ARN, source account or organization; check what the function can reach with its role.",
		}},
	{EventSource: lambdaSource, EventName: "RemovePermission", Family: true, Category: CategoryServerless, Effect: EffectCloses,
		Description: "Removes a statement from a function's resource policy; a candidate close (the request names the statement id, not what it granted).",
		parse:       parseRemovePermission,
		Words: Words{
			Headline: []string{"statement {removed} removed from {target}", "statement removed from {target}"},
			Advice:   "Nothing to do if intended: open alerts about the function's public grant are resolved once its policy shows the grant gone.",
		}},
}

// lambdaFunctionURLCatalog are the function URL entries. CloudTrail logs
// them with the API-version suffix (CreateFunctionUrlConfig20211031,
// UpdateFunctionUrlConfig20211031), so they are Families.
var lambdaFunctionURLCatalog = []Entry{
	{EventSource: lambdaSource, EventName: "CreateFunctionUrlConfig", Family: true, Category: CategoryServerless, Effect: EffectOpens,
		Description: "Gives a function an HTTPS URL; authType NONE lets anyone call it (with a principal \"*\" function-URL permission).",
		parse:       parseFunctionURLConfig,
		Words: Words{
			Headline: []string{"public URL (auth NONE) created for {target}"},
			Advice:   functionURLAdvice,
		}},
	{EventSource: lambdaSource, EventName: "UpdateFunctionUrlConfig", Family: true, Category: CategoryServerless, Effect: EffectVaries,
		Description: "Changes a function URL; authType NONE opens it to anyone, AWS_IAM closes it.",
		parse:       parseFunctionURLConfig,
		Words: Words{
			Headline: []string{"URL of {target} opened to anyone (auth NONE)"},
			Advice:   functionURLAdvice,
		},
		Closing: Words{
			Headline: []string{"URL of {target} now requires IAM auth"},
			Advice:   "Nothing to do if intended: only signed requests reach the function now, and open alerts about its URL are resolved.",
		}},
	{EventSource: lambdaSource, EventName: "DeleteFunctionUrlConfig", Family: true, Category: CategoryServerless, Effect: EffectCloses,
		Description: "Deletes a function URL, closing it to whoever could call it.",
		parse:       parseDeletion("functionName", TypeFunction),
		Words: Words{
			Headline: []string{"URL of {target} deleted"},
			Advice:   "Nothing to do if intended: the function has no URL any more, and open alerts about it are resolved.",
		}},
}
