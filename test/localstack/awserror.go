package localstack

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// errorStatus is the HTTP status AWS answers each error code a fault plan
// names with: the common errors of every service's API reference
// (InternalFailure 500, ServiceUnavailable 503, ThrottlingException and
// AccessDeniedException 400), EC2's RequestLimitExceeded (503) and
// UnauthorizedOperation (403), DynamoDB's throttles (400), SNS's Throttled
// (429) and KMS errors (400), S3's AccessDenied (403), Lambda's
// TooManyRequestsException (429). A code not listed is a client error,
// 400.
var errorStatus = map[string]int{
	"InternalFailure":                        http.StatusInternalServerError,
	"InternalError":                          http.StatusInternalServerError,
	"InternalServerError":                    http.StatusInternalServerError,
	"ServiceUnavailable":                     http.StatusServiceUnavailable,
	"Unavailable":                            http.StatusServiceUnavailable,
	"RequestLimitExceeded":                   http.StatusServiceUnavailable,
	"Throttling":                             http.StatusBadRequest,
	"ThrottlingException":                    http.StatusBadRequest,
	"ProvisionedThroughputExceededException": http.StatusBadRequest,
	"RequestLimitExceededException":          http.StatusBadRequest,
	"Throttled":                              http.StatusTooManyRequests,
	"TooManyRequestsException":               http.StatusTooManyRequests,
	"KMSThrottlingException":                 http.StatusBadRequest,
	"KMSThrottling":                          http.StatusBadRequest,
	"AccessDenied":                           http.StatusForbidden,
	"UnauthorizedOperation":                  http.StatusForbidden,
	"AccessDeniedException":                  http.StatusBadRequest,
	"AuthorizationError":                     http.StatusForbidden,
}

// status returns the HTTP status of the fault's error.
func (c *CallFault) status() int {
	if c.Status != 0 {
		return c.Status
	}
	if s, ok := errorStatus[c.Error]; ok {
		return s
	}
	return http.StatusBadRequest
}

func (c *CallFault) message() string {
	if c.Message != "" {
		return c.Message
	}
	return "injected by the local stack's fault plan"
}

// jsonErrorPrefix is the namespace some JSON services put before the code
// in __type; the SDKs keep what follows '#'.
var jsonErrorPrefix = map[string]string{
	"dynamodb": "com.amazonaws.dynamodb.v20120810#",
}

// queryNamespace is the xmlns of the query protocol's ErrorResponse, by
// service.
var queryNamespace = map[string]string{
	"sns":                    "http://sns.amazonaws.com/doc/2010-03-31/",
	"elasticloadbalancingv2": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
	"elasticloadbalancing":   "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/",
	"rds":                    "http://rds.amazonaws.com/doc/2014-10-31/",
	"iam":                    "https://iam.amazonaws.com/doc/2010-05-08/",
	"sts":                    "https://sts.amazonaws.com/doc/2011-06-15/",
}

// writeAWSError answers r, a call of service, with the fault's error in
// the wire format of the call's protocol: JSON 1.0/1.1 when it has an
// X-Amz-Target (DynamoDB, Step Functions, SQS, ...), EC2's query XML or
// the query protocol's ErrorResponse when it posts an Action, else the
// REST format (S3's XML, REST-JSON with X-Amzn-ErrorType).
func writeAWSError(w http.ResponseWriter, r *http.Request, service string, c *CallFault) {
	requestID := newUUID()
	status := c.status()
	h := w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("X-Amz-Request-Id", requestID)
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		ct := r.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "application/x-amz-json-") {
			ct = "application/x-amz-json-1.0"
		}
		h.Set("Content-Type", ct)
		if service == "sqs" { // SQS's JSON answers carry the query code too
			h.Set("X-Amzn-Query-Error", c.Error+";"+faultKind(status))
		}
		writeBody(w, status, jsonError(jsonErrorPrefix[service]+c.Error, c.message()))
	case r.Header.Get("Content-Type") != "" && queryForm(r).Get("Action") != "":
		h.Set("Content-Type", "text/xml")
		if service == "ec2" {
			writeBody(w, status, xmlDoc(ec2ErrorResponse{Code: c.Error, Message: c.message(), RequestID: requestID}))
			return
		}
		writeBody(w, status, xmlDoc(queryErrorResponse{
			Xmlns: queryNamespace[service], Type: faultKind(status), Code: c.Error, Message: c.message(), RequestID: requestID,
		}))
	case service == "s3":
		h.Set("Content-Type", "application/xml")
		writeBody(w, status, xmlDoc(s3Error{Code: c.Error, Message: c.message(), RequestID: requestID}))
	default:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-ErrorType", c.Error)
		writeBody(w, status, jsonError(c.Error, c.message()))
	}
}

// faultKind is the query protocol's error Type: Receiver for a 5xx, else
// Sender.
func faultKind(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

type ec2ErrorResponse struct {
	XMLName   xml.Name `xml:"Response"`
	Code      string   `xml:"Errors>Error>Code"`
	Message   string   `xml:"Errors>Error>Message"`
	RequestID string   `xml:"RequestID"`
}

type queryErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

func xmlDoc(v any) []byte {
	b, _ := xml.Marshal(v)
	return append([]byte(xml.Header), b...)
}

func jsonError(typ, message string) []byte {
	b, _ := json.Marshal(map[string]string{"__type": typ, "message": message})
	return b
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
