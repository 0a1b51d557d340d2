package finding

import (
	"bytes"
	"encoding/json"
)

// record is the part of a CloudTrail record trailwatch reads. Unknown fields
// are ignored, so new eventVersions and added fields do not break parsing.
type record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       *userIdentity   `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode"`
	ErrorMessage       string          `json:"errorMessage"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	AdditionalData     json.RawMessage `json:"additionalEventData"`
	EventID            string          `json:"eventID"`
	EventType          string          `json:"eventType"`
	APIVersion         string          `json:"apiVersion"`
	RecipientAccountID string          `json:"recipientAccountId"`
	VPCEndpointID      string          `json:"vpcEndpointId"`
	// Records is set when the input is a log file, not a record.
	Records   json.RawMessage `json:"Records"`
	Resources []struct {
		ARN       string `json:"ARN"`
		AccountID string `json:"accountId"`
		Type      string `json:"type"`
	} `json:"resources"`
}

type userIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	UserName       string          `json:"userName"`
	InvokedBy      string          `json:"invokedBy"`
	SessionContext *sessionContext `json:"sessionContext"`
	// OnBehalfOf is set for IAM Identity Center users.
	OnBehalfOf *struct {
		UserID string `json:"userId"`
	} `json:"onBehalfOf"`
}

type sessionContext struct {
	SessionIssuer *struct {
		Type     string `json:"type"`
		ARN      string `json:"arn"`
		UserName string `json:"userName"`
	} `json:"sessionIssuer"`
}

// items is EC2's list encoding: {"items": [...]}.
type items[T any] struct {
	Items []T `json:"items"`
}

// decodeParams decodes raw (requestParameters or responseElements) into v.
// A missing or null member leaves v at its zero value.
func decodeParams(raw json.RawMessage, v any, what string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := unmarshal(raw, v); err != nil {
		return &MalformedEventError{Reason: what, Err: err}
	}
	return nil
}

// paramsWithID decodes requestParameters as an object and returns its
// members with the string member idField, which must be there and not
// empty: a *MalformedEventError otherwise.
func paramsWithID(rec *record, idField string) (map[string]json.RawMessage, string, error) {
	var req map[string]json.RawMessage
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return nil, "", err
	}
	var id string
	if _, err := decodeMember(req, idField, &id); err != nil {
		return nil, "", err
	}
	if id == "" {
		return nil, "", &MalformedEventError{Reason: "requestParameters has no " + idField}
	}
	return req, id, nil
}

// decodeMember decodes the member name of obj into v and reports whether
// obj has it. A member of the wrong shape is a *MalformedEventError.
func decodeMember(obj map[string]json.RawMessage, name string, v any) (bool, error) {
	raw, ok := obj[name]
	if !ok {
		return false, nil
	}
	if err := unmarshal(raw, v); err != nil {
		return true, &MalformedEventError{Reason: name, Err: err}
	}
	return true, nil
}

// stringOrList decodes a JSON string or array of strings (IAM policy elements,
// CloudTrail's header values); anything else is empty.
func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	if first := skipSpace(raw, 0); first < len(raw) && raw[first] != '[' {
		var one string
		if decodes(raw, &one) {
			if one == "" {
				return nil
			}
			return []string{one}
		}
	}
	var many []string
	if decodes(raw, &many) {
		return many
	}
	return nil
}

// objectOrList decodes a JSON object or array of objects into a slice; an
// absent or null value is an empty one.
func objectOrList[T any](raw json.RawMessage) ([]T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '[' {
		var many []T
		err := unmarshal(raw, &many)
		return many, err
	}
	var one T
	if err := unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}
