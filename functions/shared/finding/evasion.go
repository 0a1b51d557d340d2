package finding

import (
	"cmp"
	"strings"
)

// parseTrail reads StopLogging, DeleteTrail and UpdateTrail: the trail is
// requestParameters.name (a name or an ARN). Every successful call is
// defense evasion; UpdateTrail is not told apart by what it changed.
func parseTrail(rec *record, f *Finding) error {
	var req struct {
		Name      string `json:"name"`
		TrailName string `json:"trailName"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := cmp.Or(req.Name, req.TrailName)
	return addResource(f, Resource{Type: TypeTrail, ID: id}, "requestParameters names no trail")
}

// eventSelector is one basic event selector.
type eventSelector struct {
	ReadWriteType           string `json:"readWriteType"`
	IncludeManagementEvents *bool  `json:"includeManagementEvents"`
}

// advancedSelector is one advanced event selector.
type advancedSelector struct {
	FieldSelectors []struct {
		Field     string   `json:"field"`
		Equals    []string `json:"equals"`
		NotEquals []string `json:"notEquals"`
	} `json:"fieldSelectors"`
}

// logsManagementWrites reports whether the advanced selector logs write
// management events: eventCategory equals Management and readOnly is not
// restricted to true.
func (s advancedSelector) logsManagementWrites() bool {
	management := false
	for _, fs := range s.FieldSelectors {
		switch fs.Field {
		case "eventCategory":
			for _, v := range fs.Equals {
				if v == "Management" {
					management = true
				}
			}
		case "readOnly":
			if len(fs.Equals) == 1 && fs.Equals[0] == "true" {
				return false
			}
			for _, v := range fs.NotEquals {
				if v == "false" {
					return false
				}
			}
		}
	}
	return management
}

// parsePutEventSelectors reads PutEventSelectors. It blinds the team when no
// selector logs write management events (the API calls trailwatch
// watches): every basic selector has includeManagementEvents false or
// readWriteType ReadOnly or None, or no advanced selector has eventCategory
// Management without readOnly true, or there are no selectors at all. A
// call that keeps them is CategoryAudit: parsed, no alert.
func parsePutEventSelectors(rec *record, f *Finding) error {
	if err := parseTrail(rec, f); err != nil {
		return err
	}
	var req struct {
		EventSelectors         []eventSelector    `json:"eventSelectors"`
		AdvancedEventSelectors []advancedSelector `json:"advancedEventSelectors"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	keeps := false
	for _, s := range req.EventSelectors {
		included := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
		switch s.ReadWriteType {
		case "", "All", "WriteOnly":
			keeps = keeps || included
		}
	}
	for _, s := range req.AdvancedEventSelectors {
		keeps = keeps || s.logsManagementWrites()
	}
	if keeps {
		f.Category = CategoryAudit
	}
	return nil
}

// parseDeleteDetector reads GuardDuty DeleteDetector.
func parseDeleteDetector(rec *record, f *Finding) error {
	var req struct {
		DetectorID string `json:"detectorId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	return addResource(f, Resource{Type: TypeDetector, ID: req.DetectorID}, "requestParameters has no detectorId")
}

// parseConsoleLogin reads a console sign-in. The account is the resource.
// responseElements.ConsoleLogin "Failure" is a failed call even without an
// errorCode (CloudTrail writes only errorMessage, "Failed authentication"):
// the finding's ErrorCode is then "Failure". A sign-in by anyone but root is
// CategoryAudit: parsed, no alert when it succeeds; a failed one is a
// failed attempt like any other (low).
func parseConsoleLogin(rec *record, f *Finding) error {
	var resp struct {
		ConsoleLogin string `json:"ConsoleLogin"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	f.Resources = append(f.Resources, Resource{Type: TypeAccount, ID: f.Account})
	if f.ErrorCode == "" && strings.EqualFold(resp.ConsoleLogin, "Failure") {
		f.ErrorCode = "Failure"
	}
	if rec.UserIdentity == nil || rec.UserIdentity.Type != "Root" {
		f.Category = CategoryAudit
	}
	return nil
}

// cloudTrailSource is the eventSource of CloudTrail events.
const cloudTrailSource = "cloudtrail.amazonaws.com"

// trailAdvice is what to do when a trail stops recording.
const trailAdvice = "Restore the trail at once (StartLogging, or recreate it) and find out who did this and why: while it is off, calls, exposures included, go unrecorded. Check the actor's other recent calls."

// evasionCatalog are the catalog entries parsed in this file.
var evasionCatalog = []Entry{
	{EventSource: cloudTrailSource, EventName: "StopLogging", Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Stops a trail's logging: later calls, exposures included, go unrecorded.",
		parse:       parseTrail,
		Words: Words{
			Headline: []string{"logging stopped on trail {target}"},
			Advice:   trailAdvice,
		}},
	{EventSource: cloudTrailSource, EventName: "DeleteTrail", Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Deletes a trail: later calls, exposures included, go unrecorded.",
		parse:       parseTrail,
		Words: Words{
			Headline: []string{"trail {target} deleted"},
			Advice:   trailAdvice,
		}},
	{EventSource: cloudTrailSource, EventName: "UpdateTrail", Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Changes a trail (bucket, regions, validation, encryption); every change is reported, whatever it changed.",
		parse:       parseTrail,
		Words: Words{
			Headline: []string{"trail {target} changed"},
			Advice:   "Check what changed (the trail's bucket, regions, log file validation, encryption) and that it was intended: a trail sent to another bucket or narrowed to fewer regions hides activity.",
		}},
	{EventSource: cloudTrailSource, EventName: "PutEventSelectors", Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Sets a trail's event selectors; evasion when no selector logs write management events, otherwise no alert (audit).",
		parse:       parsePutEventSelectors,
		Words: Words{
			Headline: []string{"trail {target} no longer logs management events"},
			Advice:   "Put back an event selector that logs write management events, then find out who changed it and why: until then, exposures go unrecorded.",
		}},
	{EventSource: "guardduty.amazonaws.com", EventName: "DeleteDetector", Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Deletes a GuardDuty detector: threat detection in the region stops.",
		parse:       parseDeleteDetector,
		Words: Words{
			Headline: []string{"GuardDuty detector {target} deleted"},
			Advice:   "Enable GuardDuty again in the region and find out who deleted the detector and why: threat detection there has stopped, and its findings are gone.",
		}},
	{EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", DetailType: DetailTypeConsoleLogin, Category: CategoryDefenseEvasion, Effect: EffectEvasion,
		Description: "Console sign-in; by root it is reported (a failed one as an attempt), by anyone else it is parsed without alert (audit).",
		parse:       parseConsoleLogin,
		Words: Words{
			Headline: []string{"root user signed in to the console"},
			Advice:   "Confirm with the account's owner that the root user was meant to sign in, and that it uses MFA; root should be used only for the few tasks that need it.",
		}},
}
