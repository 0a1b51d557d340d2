package finding

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// decodeTarget has a field of each shape unmarshal reads itself, and some
// it leaves to encoding/json.
type decodeTarget struct {
	S        string           `json:"s"`
	Named    ResourceType     `json:"named"`
	P        *string          `json:"p"`
	B        bool             `json:"b"`
	I        int              `json:"i"`
	I8       int8             `json:"i8"`
	U        uint16           `json:"u"`
	F        float64          `json:"f"`
	N        *json.Number     `json:"n"`
	Raw      json.RawMessage  `json:"raw"`
	PRaw     *json.RawMessage `json:"praw"`
	List     []string         `json:"list"`
	Items    items[rulePair]  `json:"items"`
	Map      map[string]any   `json:"map"`
	RawMap   map[string]json.RawMessage
	Any      any            `json:"any"`
	Bytes    []byte         `json:"bytes"`
	Time     time.Time      `json:"time"`
	Arr      [2]int         `json:"arr"`
	Quoted   quotedHolder   `json:"quoted"`
	Nested   *decodeTarget  `json:"nested"`
	Embedded embeddedHolder `json:"embedded"`
	Fold     string         `json:"FoldMe"`
	FoldToo  string         `json:"foldme"`
	Skip     string         `json:"-"`
	Dash     string         `json:"-,"`
	Odd      oddHolder      `json:"odd"`
	hidden   string
	Strs     map[ResourceType]string `json:"strs"`
}

type quotedHolder struct {
	Q int `json:"q,string"`
}

type oddHolder struct {
	Name string `json:"odd.name"`
}

type rulePair struct {
	From *json.Number `json:"fromPort"`
	CIDR string       `json:"cidrIp"`
}

type inner struct{ X string }

type embeddedHolder struct {
	inner
	Y string
}

var decodeSeeds = []string{
	`{"s":"a","named":"ec2:instance","p":"x","b":true,"i":-3,"i8":12,"u":7,"f":1.5e3,"n":22,"raw":{"a":[1,2]},"praw":null,"list":["a","b"],"items":{"items":[{"fromPort":22,"cidrIp":"0.0.0.0/0"}]},"map":{"k":[1,"2",null]},"RawMap":{"x":1},"any":[{"a":1}],"bytes":"aGk=","time":"2024-01-02T03:04:05Z","arr":[1,2,3],"quoted":{"q":"5"},"nested":{"s":"deep"},"embedded":{"X":"x","Y":"y"},"foldme":"f","-":"dash","odd":{"odd.name":"o"},"hidden":"h","strs":{"a":"b"}}`,
	`{"S":"upper","FOLDME":"x","LIST":[],"list":null,"Nested":null,"n":"12","i":1.5,"u":-1,"i8":300,"raw":null}`,
	`{"s":"\u00e9\ud83d\ude00\ud800 \"q\" \\ \/ \b\f\n\r\t","k":"\u212a","\u0073":"escaped key"}`,
	`{"s":"bad utf-8 \xff\xfe end","list":["a",1],"b":"true"}`,
	`{"s":1}`, `{"s":"a",}`, `{"s":"a"} x`, `[]`, `null`, `"str"`, ` {"s" : "spaced" , "b" : false } `,
	`{"list":["a","b"],"list":["c"],"nested":{"s":"1"},"nested":{"b":true},"RawMap":{"a":1},"RawMap":{"b":2}}`,
	`{"f":1e400,"n":-0.5E-3,"i":-0,"u":18446744073709551615}`,
}

func decodeBoth(t *testing.T, data []byte) {
	t.Helper()
	var fast, ref decodeTarget
	fastErr := unmarshal(data, &fast)
	refErr := json.Unmarshal(data, &ref)
	if (fastErr == nil) != (refErr == nil) || fastErr != nil && fastErr.Error() != refErr.Error() {
		t.Fatalf("unmarshal error %v, encoding/json's %v", fastErr, refErr)
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("unmarshal decoded\n%#v\nencoding/json\n%#v", fast, ref)
	}
	decodesBoth(t, data, new(decodeTarget), new(decodeTarget))
	decodesBoth(t, data, new(string), new(string))
	decodesBoth(t, data, new(bool), new(bool))
	decodesBoth(t, data, new([]string), new([]string))
	decodesBoth(t, data, new(map[string]json.RawMessage), new(map[string]json.RawMessage))
	decodesBoth(t, data, new(*items[string]), new(*items[string]))
}

// decodesBoth fails t when decodes(data, fast) and json.Unmarshal(data,
// ref) disagree on success, or on the value when both succeed.
func decodesBoth(t *testing.T, data []byte, fast, ref any) {
	t.Helper()
	ok, refErr := decodes(data, fast), json.Unmarshal(data, ref)
	if ok != (refErr == nil) {
		t.Fatalf("decodes(%.60q, %T) = %v, encoding/json's error %v", data, fast, ok, refErr)
	}
	if ok && !reflect.DeepEqual(fast, ref) {
		t.Fatalf("decodes(%.60q, %T) set %#v, encoding/json %#v", data, fast, fast, ref)
	}
}

func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		decodeBoth(t, []byte(s))
	}
}

// FuzzUnmarshal holds unmarshal to json.Unmarshal on any input.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { decodeBoth(t, data) })
}

func TestDecodeTargetIsReadInOnePass(t *testing.T) {
	if k := planOf(reflect.TypeFor[decodeTarget]()).kind; k != kindStruct {
		t.Fatalf("decodeTarget plan kind %d: the test would compare encoding/json with itself", k)
	}
}
