package screening

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// fields maps a JSON key to the Go value it decodes into; the codec uses it
// to split an object into the keys Haven understands and the rest.
type fields map[string]any

// decodeObject decodes data, a JSON object, filling the targets named in
// known and returning every other key untouched, so that elements outside
// Haven's subset survive a round trip.
func decodeObject(data []byte, known fields) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("expected a JSON object, got null")
	}
	for key, target := range known {
		raw, ok := m[key]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, target); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		delete(m, key)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// encodeObject writes the kept keys and the known values (skipping empty
// ones) as one JSON object with its keys sorted.
func encodeObject(extra map[string]json.RawMessage, known fields) ([]byte, error) {
	out := make(map[string]json.RawMessage, len(extra)+len(known))
	for k, v := range extra {
		out[k] = v
	}
	for key, v := range known {
		if isEmpty(v) {
			continue
		}
		raw, err := marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out[key] = raw
	}
	return marshal(out)
}

// marshal encodes v without escaping <, > and & (FHIR narrative is XHTML).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// isEmpty reports whether a known field holds nothing to write.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case *bool:
		return v == nil
	case Value:
		return v.Type == ""
	case []*Item:
		return v == nil
	case []*EnableWhen:
		return v == nil
	case []*AnswerOption:
		return v == nil
	case []*ResponseItem:
		return v == nil
	case []*Answer:
		return v == nil
	case []*Extension:
		return v == nil
	}
	return false
}

// Value is a FHIR choice-type element (value[x] or answer[x]): Type is the
// suffix ("Boolean", "Coding", "Integer", …) and Raw the JSON value, kept
// byte for byte so that decimals and unknown types survive.
type Value struct {
	Type string
	Raw  json.RawMessage
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// takeValue removes the one key of m that starts with prefix followed by
// an upper-case letter (value[x] or answer[x]) and returns it as a Value.
func takeValue(m map[string]json.RawMessage, prefix string) (Value, error) {
	var v Value
	for key, raw := range m {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok || rest == "" || !unicode.IsUpper(rune(rest[0])) {
			continue
		}
		if v.Type != "" {
			return Value{}, fmt.Errorf("both %s%s and %s are present", prefix, v.Type, key)
		}
		v = Value{Type: rest, Raw: raw}
		delete(m, key)
	}
	return v, nil
}

// putValue adds v to m under prefix+Type.
func putValue(m map[string]json.RawMessage, prefix string, v Value) map[string]json.RawMessage {
	if v.Type == "" {
		return m
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	m[prefix+v.Type] = v.Raw
	return m
}

// BoolValue returns a Boolean value.
func BoolValue(b bool) Value {
	return Value{Type: "Boolean", Raw: json.RawMessage(strconv.FormatBool(b))}
}

// StringValue returns a String value.
func StringValue(s string) Value {
	raw, _ := marshal(s)
	return Value{Type: "String", Raw: raw}
}

// IntegerValue returns an Integer value.
func IntegerValue(n int) Value { return Value{Type: "Integer", Raw: json.RawMessage(strconv.Itoa(n))} }

// DateValue returns a Date value (YYYY, YYYY-MM or YYYY-MM-DD).
func DateValue(d string) Value {
	v := StringValue(d)
	v.Type = "Date"
	return v
}

// CodingValue returns a Coding value.
func CodingValue(system, code, display string) Value {
	raw, _ := marshal(Coding{System: system, Code: code, Display: display})
	return Value{Type: "Coding", Raw: raw}
}

// Bool returns the value as a boolean; ok is false for another type.
func (v Value) Bool() (b bool, ok bool) {
	return b, v.Type == "Boolean" && json.Unmarshal(v.Raw, &b) == nil
}

// Text returns a String, Date, Time, DateTime or Uri value as a string.
func (v Value) Text() (s string, ok bool) {
	switch v.Type {
	case "String", "Date", "Time", "DateTime", "Uri":
		return s, json.Unmarshal(v.Raw, &s) == nil
	}
	return "", false
}

// Number returns an Integer or Decimal value as a float64.
func (v Value) Number() (f float64, ok bool) {
	if v.Type != "Integer" && v.Type != "Decimal" {
		return 0, false
	}
	return f, json.Unmarshal(v.Raw, &f) == nil
}

// Coding returns a Coding value.
func (v Value) Coding() (c Coding, ok bool) {
	return c, v.Type == "Coding" && json.Unmarshal(v.Raw, &c) == nil
}

// wellFormed reports whether Raw decodes as the JSON kind Type requires.
func (v Value) wellFormed() bool {
	switch v.Type {
	case "Boolean":
		_, ok := v.Bool()
		return ok
	case "Integer":
		var n int64
		return json.Unmarshal(v.Raw, &n) == nil
	case "Decimal":
		_, ok := v.Number()
		return ok
	case "String", "Date", "Time", "DateTime", "Uri":
		_, ok := v.Text()
		return ok
	case "Coding":
		// R4 makes every element of a Coding optional; a Coding with
		// only a display is valid (ele-1 asks for one of them).
		c, ok := v.Coding()
		return ok && (c.Code != "" || c.Display != "" || c.System != "")
	}
	return len(v.Raw) > 0
}

// equal reports whether two values of the same type are equal: Codings by
// system (when both carry one) and code, numbers numerically, the rest by
// their text.
func (v Value) equal(w Value) bool {
	if a, ok := v.Coding(); ok {
		b, ok := w.Coding()
		if ok && (a.Code == "" || b.Code == "") {
			// A display-only Coding matches by its display.
			return a.Code == b.Code && a.Display != "" && a.Display == b.Display
		}
		return ok && a.Code == b.Code && (a.System == "" || b.System == "" || a.System == b.System)
	}
	if a, ok := v.Number(); ok {
		b, ok := w.Number()
		return ok && a == b
	}
	if v.Type != w.Type {
		return false
	}
	if a, ok := v.Text(); ok {
		b, _ := w.Text()
		return a == b
	}
	return bytes.Equal(v.Raw, w.Raw)
}

// compare orders two values of an ordered type (numbers, dates, strings);
// ok is false when they cannot be ordered.
func (v Value) compare(w Value) (c int, ok bool) {
	if a, ok := v.Number(); ok {
		b, ok := w.Number()
		if !ok {
			return 0, false
		}
		return cmpFloat(a, b), true
	}
	a, ok1 := v.Text()
	b, ok2 := w.Text()
	if !ok1 || !ok2 || v.Type != w.Type {
		return 0, false
	}
	return strings.Compare(a, b), true
}

// cmpFloat returns -1, 0 or 1.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Extension is a FHIR extension: a URL with either a value or nested
// extensions. Elements it does not model are kept in Extra.
type Extension struct {
	URL       string
	Value     Value
	Extension []*Extension
	Extra     map[string]json.RawMessage
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *Extension) UnmarshalJSON(data []byte) error {
	extra, err := decodeObject(data, fields{"url": &e.URL, "extension": &e.Extension})
	if err != nil {
		return err
	}
	e.Value, err = takeValue(extra, "value")
	e.Extra = nonEmpty(extra)
	if err != nil {
		return err
	}
	return noNil("extension", e.Extension)
}

// MarshalJSON implements json.Marshaler.
func (e *Extension) MarshalJSON() ([]byte, error) {
	return encodeObject(putValue(clone(e.Extra), "value", e.Value), fields{"url": e.URL, "extension": e.Extension})
}

// nonEmpty returns nil for an empty map.
func nonEmpty(m map[string]json.RawMessage) map[string]json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return m
}

// clone copies a map so that encoding never changes the element it encodes.
func clone(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
