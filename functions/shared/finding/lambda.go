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

// lambdaSource is the eventSource of Lambda events.
const lambdaSource = "lambda.amazonaws.com"

// lambdaCatalog are the catalog entries parsed in this file. Lambda's event
// names carry API-version suffixes (AddPermission20150331v2,
// CreateFunctionUrlConfig20211031), so each entry is a Family.
var lambdaCatalog = []Entry{
	{EventSource: lambdaSource, EventName: "AddPermission", Family: true, Category: CategoryServerless, Effect: EffectOpens,
		Description: "Adds a statement to a function's resource policy; principal \"*\" without sourceArn, sourceAccount or principalOrgID lets anyone invoke it.",
		parse:       parseAddPermission},
}

// lambdaFunctionURLCatalog are the function URL entries. CloudTrail logs
// them with the API-version suffix (CreateFunctionUrlConfig20211031,
// UpdateFunctionUrlConfig20211031), so they are Families.
var lambdaFunctionURLCatalog = []Entry{
	{EventSource: lambdaSource, EventName: "CreateFunctionUrlConfig", Family: true, Category: CategoryServerless, Effect: EffectOpens,
		Description: "Gives a function an HTTPS URL; authType NONE lets anyone call it (with a principal \"*\" function-URL permission).",
		parse:       parseFunctionURLConfig},
	{EventSource: lambdaSource, EventName: "UpdateFunctionUrlConfig", Family: true, Category: CategoryServerless, Effect: EffectVaries,
		Description: "Changes a function URL; authType NONE opens it to anyone, AWS_IAM closes it.",
		parse:       parseFunctionURLConfig},
}
