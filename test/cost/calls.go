package cost

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Calls counts the DynamoDB and SNS calls the functions make, as those
// services bill them.
type Calls struct {
	// DynamoDB requests by operation, and the request units they use:
	// a write of an item of n bytes ceil(n/1 KB) write units, a strongly
	// consistent read ceil(n/4 KB) read units (half for an eventually
	// consistent one) (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
	DynamoDB      map[string]int `json:"dynamodb"`
	WriteUnits    float64        `json:"writeUnits"`
	ReadUnits     float64        `json:"readUnits"`
	SNSPublishes  int            `json:"snsPublishes"`
	SNSRequests   int            `json:"snsRequests"` // each 64 KB of a message one
	SNSOtherCalls map[string]int `json:"snsOtherCalls,omitempty"`
}

// Recorder is an HTTP proxy to the local stack that records the calls
// through it in Calls. The functions reach it through the SDK's
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SNS.
type Recorder struct {
	URL string

	srv   *http.Server
	mu    sync.Mutex
	calls Calls
	items map[string]int // bytes of each item written, by its key's JSON
	proxy *httputil.ReverseProxy
}

// NewRecorder starts a Recorder on 127.0.0.1. It answers 502 until
// SetTarget names the stack.
func NewRecorder() (*Recorder, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Recorder{URL: "http://" + ln.Addr().String(), calls: Calls{DynamoDB: map[string]int{}, SNSOtherCalls: map[string]int{}}}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		proxy := r.proxy
		r.mu.Unlock()
		if proxy == nil {
			http.Error(w, "no stack yet", http.StatusBadGateway)
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorded{ResponseWriter: w}
		proxy.ServeHTTP(rec, req)
		r.record(req, body, rec.body.Bytes())
	}), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// SetTarget makes r forward to the stack at endpoint.
func (r *Recorder) SetTarget(endpoint string) error {
	target, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.proxy = httputil.NewSingleHostReverseProxy(target)
	return nil
}

// recorded keeps a copy of the response body.
type recorded struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorded) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Env is the environment that routes the functions' DynamoDB and SNS calls
// through r.
func (r *Recorder) Env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": r.URL, "AWS_ENDPOINT_URL_SNS": r.URL}
}

// Calls returns the calls so far.
func (r *Recorder) Calls() Calls {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	c.DynamoDB = clone(c.DynamoDB)
	c.SNSOtherCalls = clone(c.SNSOtherCalls)
	return c
}

// Close stops r.
func (r *Recorder) Close() error { return r.srv.Close() }

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (r *Recorder) record(req *http.Request, body, resp []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if op, ok := strings.CutPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810."); ok {
		r.calls.DynamoDB[op]++
		r.dynamoDBUnits(op, body, resp)
		return
	}
	action, message := snsCall(req, body)
	if action == "Publish" {
		r.calls.SNSPublishes++
		r.calls.SNSRequests += max(1, int(math.Ceil(float64(len(message))/(64<<10))))
	} else if action != "" {
		r.calls.SNSOtherCalls[action]++
	}
}

// snsCall is the action and message of an SNS call, in the query protocol
// (form) or the JSON one.
func snsCall(req *http.Request, body []byte) (action, message string) {
	if target := req.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AmazonSNS.") {
		var in struct{ Message string }
		_ = json.Unmarshal(body, &in)
		return strings.TrimPrefix(target, "AmazonSNS."), in.Message
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", ""
	}
	return form.Get("Action"), form.Get("Message")
}

// tableKey is the dedupe table's partition key (test/pipeline's table,
// terraform's dynamodb.tf): writes are sized by the item under it.
const tableKey = "pk"

// dynamoDBUnits adds the request units of one DynamoDB call. A write uses
// units for the larger of the item before and after it: a put for the
// item it writes, an update for the item it was plus the values it sets,
// a delete for the item it removes (sizes of items written through r).
func (r *Recorder) dynamoDBUnits(op string, body, resp []byte) {
	var in struct {
		Item           map[string]json.RawMessage `json:"Item"`
		Key            map[string]json.RawMessage `json:"Key"`
		Values         map[string]json.RawMessage `json:"ExpressionAttributeValues"`
		ConsistentRead bool                       `json:"ConsistentRead"`
	}
	_ = json.Unmarshal(body, &in)
	if r.items == nil {
		r.items = map[string]int{}
	}
	switch op {
	case "PutItem":
		n := itemBytes(in.Item)
		r.calls.WriteUnits += units(max(n, r.items[string(in.Item[tableKey])]), 1024)
		r.items[string(in.Item[tableKey])] = n
	case "UpdateItem":
		before := max(r.items[string(in.Key[tableKey])], itemBytes(in.Key))
		after := before + itemBytes(in.Values)
		r.calls.WriteUnits += units(after, 1024)
		r.items[string(in.Key[tableKey])] = after
	case "DeleteItem":
		r.calls.WriteUnits += units(max(r.items[string(in.Key[tableKey])], itemBytes(in.Key)), 1024)
		delete(r.items, string(in.Key[tableKey]))
	case "GetItem":
		var out struct {
			Item map[string]json.RawMessage `json:"Item"`
		}
		_ = json.Unmarshal(resp, &out)
		u := units(itemBytes(out.Item), 4096)
		if !in.ConsistentRead {
			u /= 2
		}
		r.calls.ReadUnits += u
	}
}

func units(n, per int) float64 { return math.Max(1, math.Ceil(float64(n)/float64(per))) }

// itemBytes is an item's size as DynamoDB counts it: the names of its
// attributes and their values (strings and numbers by their text).
func itemBytes(item map[string]json.RawMessage) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueBytes(v)
	}
	return n
}

func valueBytes(raw json.RawMessage) int {
	var v map[string]json.RawMessage
	if json.Unmarshal(raw, &v) != nil {
		return len(raw)
	}
	n := 0
	for typ, val := range v {
		switch typ {
		case "M":
			var m map[string]json.RawMessage
			_ = json.Unmarshal(val, &m)
			n += 3 + itemBytes(m)
		case "L":
			var l []json.RawMessage
			_ = json.Unmarshal(val, &l)
			n += 3
			for _, e := range l {
				n += 1 + valueBytes(e)
			}
		case "S", "N", "B":
			var s string
			_ = json.Unmarshal(val, &s)
			n += len(s)
		default:
			n += len(val)
		}
	}
	return n
}
