package finding

import (
	"reflect"
	"sync"
)

// The one-pass path of Parse. It reads the event once: it walks the
// envelope and the record, notes where each member the record and the
// envelope need lies and checks its type, and decodes nothing until the
// catalog says the event is one trailwatch reads (eventSource and
// eventName). A record outside the catalog costs one scan and no
// allocation but its UnsupportedEventError. Whatever is unusual (a syntax
// error, a member of the wrong type or repeated, a key that matches a
// member only case-insensitively) it leaves to decodeEvent, the
// encoding/json path, which then decides and words the error: both paths
// give the same finding or the same error for any input.

var (
	recordPlan   = planOf(reflect.TypeFor[record]())
	envelopePlan = planOf(reflect.TypeFor[envelope]())

	recEventID      = recordPlan.field("EventID")
	recEventName    = recordPlan.field("EventName")
	recEventSource  = recordPlan.field("EventSource")
	recEventTime    = recordPlan.field("EventTime")
	recAWSRegion    = recordPlan.field("AWSRegion")
	recRecipient    = recordPlan.field("RecipientAccountID")
	recUserIdentity = recordPlan.field("UserIdentity")
	recRecords      = recordPlan.field("Records")
	envDetailType   = envelopePlan.field("DetailType")
	envAccount      = envelopePlan.field("Account")
	envRegion       = envelopePlan.field("Region")
	envDetail       = envelopePlan.field("Detail")
)

// field returns the number of the plan's field of Go name name; it panics
// when there is none (a renamed field, caught by every test).
func (p *plan) field(name string) int {
	sf, ok := p.typ.FieldByName(name)
	if ok {
		for n, f := range p.fields {
			if f.index == sf.Index[0] {
				return n
			}
		}
	}
	panic("finding: no field " + name + " in " + p.typ.String())
}

// member is where a member's value lies in the input: data[start:end];
// plain for a string that needs no unquoting.
type member struct {
	start, end int
	plain      bool
}

func (s member) present() bool { return s.end > 0 }

// members are the spans of one object's members by plan field; bad is set
// when encoding/json must decide (a member of the wrong type, or repeated).
type members struct {
	spans []member
	bad   bool
	// room holds spans, so that walks reuse their memory (walks).
	room [maxMembers]member
}

// maxMembers bounds the fields of record and envelope (a test holds it).
const maxMembers = 24

func (m *members) init(p *plan) {
	m.spans, m.bad = m.room[:len(p.fields)], false
	clear(m.spans)
}

// walks recycles eventWalks: a walk is 2 KB that every event needs once.
var walks = sync.Pool{New: func() any { return new(eventWalk) }}

// nonEmpty reports whether the member n is a string that is not empty
// (the walk checked it is a string or null).
func (m *members) nonEmpty(data []byte, n int) bool {
	s := m.spans[n]
	return s.present() && data[s.start] == '"' && s.end-s.start > 2
}

// str is the member n as a string ("" when absent or null).
func (m *members) str(data []byte, n int) string {
	s := m.spans[n]
	if !s.present() || data[s.start] != '"' {
		return ""
	}
	if !s.plain {
		_, s.plain, _ = scanString(data, s.start)
	}
	return stringOf(data[s.start:s.end], s.plain)
}

// eventWalk is what one walk of an event found: the envelope's members,
// the members of the object itself as a bare record, and those of its
// detail as a record.
type eventWalk struct {
	data     []byte
	envelope members
	bare     members
	detail   members
	isDetail bool // detail is an object, walked
	folded   bool // a key matches a member only case-insensitively
	// rec is the record parseFast decodes, kept with the walk so that
	// parsing allocates it only once per pooled walk.
	rec record
}

// walkEvent walks the object data (which starts with '{'); false when
// data is not one JSON object.
func walkEvent(data []byte) (*eventWalk, bool) {
	w := walks.Get().(*eventWalk)
	w.data, w.isDetail, w.folded = data, false, false
	w.envelope.init(envelopePlan)
	w.bare.init(recordPlan)
	w.detail.init(recordPlan)
	d := decoder{data: data, dry: true}
	end, ok := d.members(0, func(key []byte, plain bool, i int) (int, bool) {
		envField, envOK := matchField(envelopePlan, key, plain)
		if envOK && envField == envDetail && i < len(data) && data[i] == '{' {
			end, ok := walkRecord(&d, i, &w.detail)
			w.isDetail = ok
			return end, ok && note(&w.envelope, envField, i, end)
		}
		recField, recOK := matchField(recordPlan, key, plain)
		var end int
		switch {
		case recOK:
			end = w.bare.check(&d, recordPlan, recField, i)
		case envOK:
			end = w.envelope.check(&d, envelopePlan, envField, i)
		default:
			if foldedMatch(envelopePlan, key, plain) || foldedMatch(recordPlan, key, plain) {
				w.folded = true
			}
			end, ok := skipValue(data, i, 1)
			return end, ok
		}
		if end == 0 {
			return 0, false
		}
		if recOK && envOK {
			w.envelope.check(&d, envelopePlan, envField, i)
		}
		return end, true
	})
	return w, ok && skipSpace(data, end) == len(data)
}

// walkRecord walks the record object at data[i] into m.
func walkRecord(d *decoder, i int, m *members) (int, bool) {
	return d.members(i, func(key []byte, plain bool, i int) (int, bool) {
		n, ok := matchField(recordPlan, key, plain)
		if !ok {
			if foldedMatch(recordPlan, key, plain) {
				m.bad = true
			}
			return skipValue(d.data, i, 2)
		}
		end := m.check(d, recordPlan, n, i)
		return end, end > 0
	})
}

// check reads the value at data[i] of field n and notes its member; it
// returns the index after it, 0 when it is not JSON. A value of the wrong
// type marks m bad.
func (m *members) check(d *decoder, p *plan, n, i int) int {
	if k := p.fields[n].plan.kind; p == recordPlan && (k == kindPointer || k == kindSlice) {
		// userIdentity, resources: checked when the event proves to be
		// outside the catalog (checkTyped), decoded when it is in it.
		end, ok := skipValue(d.data, i, 2)
		if !ok {
			return 0
		}
		note(m, n, i, end)
		return end
	}
	if p.fields[n].plan.kind == kindString && i < len(d.data) && d.data[i] == '"' {
		end, plain, ok := scanString(d.data, i)
		if !ok {
			return 0
		}
		note(m, n, i, end)
		m.spans[n].plain = plain
		return end
	}
	end, ok := d.value(p.fields[n].plan, reflect.Value{}, i, 2)
	if !ok {
		end, ok = skipValue(d.data, i, 2)
		if !ok {
			return 0
		}
		m.bad = true
	}
	note(m, n, i, end)
	return end
}

// checkTyped reports whether the members the walk only skipped (pointers
// and slices: userIdentity, resources) have the types encoding/json needs.
func (m *members) checkTyped(data []byte) bool {
	d := decoder{data: data, dry: true}
	for n, s := range m.spans {
		if k := recordPlan.fields[n].plan.kind; s.present() && (k == kindPointer || k == kindSlice) {
			if _, ok := d.value(recordPlan.fields[n].plan, reflect.Value{}, s.start, 2); !ok {
				return false
			}
		}
	}
	return true
}

// note records the member of field n; a second one marks m bad.
func note(m *members, n, start, end int) bool {
	if m.spans[n].present() {
		m.bad = true
	}
	m.spans[n] = member{start: start, end: end}
	return true
}

// matchField is the field of p a key (quotes included) names exactly.
func matchField(p *plan, key []byte, plain bool) (int, bool) {
	if !plain {
		return 0, false
	}
	return p.lookup(key[1 : len(key)-1])
}

// foldedMatch reports whether key names a field of p only when case is
// ignored: the fast path then leaves the event to encoding/json.
func foldedMatch(p *plan, key []byte, plain bool) bool {
	if !plain {
		return true
	}
	_, ok := p.foldedField(key[1 : len(key)-1])
	return ok
}

// parseFast is Parse on the one-pass path; done is false when the input
// is for decodeEvent to decide.
func parseFast(data []byte) (f *Finding, err error, done bool) {
	w, ok := walkEvent(data)
	defer func() { w.data, w.rec = nil, record{}; walks.Put(w) }()
	if !ok || w.envelope.bad || w.folded {
		return nil, nil, false
	}
	rec := &w.bare
	if dt := w.envelope.spans[envDetailType]; dt.present() && data[dt.start] == '"' {
		switch w.envelope.str(data, envDetailType) {
		case DetailTypeAPICall, DetailTypeConsoleLogin, DetailTypeServiceEvent:
		default:
			return nil, &UnsupportedEventError{DetailType: w.envelope.str(data, envDetailType)}, true
		}
		if ds := w.envelope.spans[envDetail]; !ds.present() || string(data[ds.start:ds.end]) == "null" {
			return nil, &MalformedEventError{Reason: "envelope has no detail"}, true
		}
		if !w.isDetail {
			return nil, nil, false
		}
		rec = &w.detail
	}
	if rec.bad {
		return nil, nil, false
	}
	if err, decided := rec.refuse(data, &w.envelope); decided {
		if !rec.checkTyped(data) {
			return nil, nil, false
		}
		return nil, err, true
	}
	r := &w.rec
	// The record's strings share one buffer: one allocation instead of one
	// per member. The raw members (requestParameters and the like) share
	// data, as the walk found them.
	d := decoder{data: data, textRoom: rec.textBound(data)}
	v := reflect.ValueOf(r).Elem()
	for n, s := range rec.spans {
		if !s.present() {
			continue
		}
		f := recordPlan.fields[n]
		switch {
		case f.plan.kind == kindString && data[s.start] == '"':
			v.Field(f.index).SetString(d.str(s.start, s.end, s.plain))
		case f.plan.kind == kindRaw:
			v.Field(f.index).SetBytes(data[s.start:s.end:s.end])
		default:
			if _, ok := d.value(f.plan, v.Field(f.index), s.start, 2); !ok {
				return nil, nil, false
			}
		}
	}
	if r.RecipientAccountID == "" {
		r.RecipientAccountID = w.envelope.str(data, envAccount)
	}
	if r.AWSRegion == "" {
		r.AWSRegion = w.envelope.str(data, envRegion)
	}
	f, err = parseRecord(r)
	return f, err, true
}

// textBound bounds the bytes of the strings decoding rec's members sets:
// its string members, and the members whose strings are decoded with them
// (userIdentity, resources).
func (rec *members) textBound(data []byte) int {
	n := 0
	for i, s := range rec.spans {
		if k := recordPlan.fields[i].plan.kind; s.present() && (k == kindString || k == kindPointer || k == kindSlice) {
			n += s.end - s.start
		}
	}
	return n
}

// refuse is the error of a record (rec) that is not one trailwatch reads,
// from the spans alone: a log file, a required member missing, an event
// outside the catalog; decided is false for a record to decode.
func (rec *members) refuse(data []byte, env *members) (err error, decided bool) {
	if !rec.nonEmpty(data, recEventID) && rec.spans[recRecords].present() {
		return errLogFile(), true
	}
	account := rec.nonEmpty(data, recRecipient) || env.nonEmpty(data, envAccount)
	if u := rec.spans[recUserIdentity]; !account && u.present() {
		var identity *userIdentity
		if unmarshal(data[u.start:u.end], &identity) != nil {
			return nil, false // decoding it says what is wrong
		}
		account = identity != nil && identity.AccountID != ""
	}
	if reason := missing(rec.nonEmpty(data, recEventID), rec.nonEmpty(data, recEventName), rec.nonEmpty(data, recEventSource),
		rec.nonEmpty(data, recEventTime), rec.nonEmpty(data, recAWSRegion) || env.nonEmpty(data, envRegion), account); reason != "" {
		return &MalformedEventError{Reason: reason}, true
	}
	if _, ok := lookupSpans(data, rec.spans[recEventSource], rec.spans[recEventName]); !ok {
		return &UnsupportedEventError{EventSource: rec.str(data, recEventSource), EventName: rec.str(data, recEventName)}, true
	}
	return nil, false
}

// lookupSpans is Lookup of the eventSource and eventName at s and n,
// without allocating when both are plain strings.
func lookupSpans(data []byte, s, n member) (Entry, bool) {
	src, okS := plainString(data, s)
	name, okN := plainString(data, n)
	if !okS || !okN {
		var m members
		m.spans = []member{s, n}
		return Lookup(m.str(data, 0), m.str(data, 1))
	}
	return lookup(src, name)
}

// plainString is the content of the string at s when it needs no
// unquoting.
func plainString(data []byte, s member) ([]byte, bool) {
	if !s.present() || data[s.start] != '"' || !s.plain {
		return nil, false
	}
	return data[s.start+1 : s.end-1], true
}

// lookup is Lookup for strings or the bytes of plain JSON strings, without
// allocating.
func lookup[T string | []byte](eventSource, eventName T) (Entry, bool) {
	var buf [128]byte
	key := append(append(append(buf[:0], eventSource...), ' '), eventName...)
	if e, ok := index[string(key)]; ok {
		return e, true
	}
	for _, e := range catalog {
		if e.Family && string(eventSource) == e.EventSource && len(eventName) >= len(e.EventName) && string(eventName[:len(e.EventName)]) == e.EventName {
			return e, true
		}
	}
	return Entry{}, false
}
