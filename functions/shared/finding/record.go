package finding

import "encoding/json"

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
	if err := json.Unmarshal(raw, v); err != nil {
		return &MalformedEventError{Reason: what, Err: err}
	}
	return nil
}
