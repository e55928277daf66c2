package server

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
)

// FuzzDecodeObject: what decodeObject accepts, encoding/json decodes to the
// same value, and it never panics; an object with a repeated key is refused.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"op":"update"}`, `{"op":"update","op":"delete"}`, `{"a":{"b":1,"b":2}}`, `{"a":[{"x":1},{"x":1}]}`,
		`{}`, `[]`, `{"a":1} {"b":2}`, `{"a":"\u006f","\u0061":1}`, `{"op":`, `nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got map[string]json.RawMessage
		if err := decodeObject(body, &got); err != nil {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("decodeObject accepted what encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeObject gave %v, encoding/json %v", got, want)
		}
	})
}

// FuzzDecimal: decimal accepts exactly the strings of digits whose value is
// within the limit, and gives that value.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"0", "5", "+5", "-1", " 5", "5 ", "1e3", "0x10", "9223372036854775807", "9223372036854775808", "007", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := decimal(s, MaxFileSize)
		digits := s != ""
		for i := 0; i < len(s); i++ {
			digits = digits && s[i] >= '0' && s[i] <= '9'
		}
		if ok && (!digits || n < 0 || n > MaxFileSize || itoa(n) != trimZeros(s)) {
			t.Fatalf("decimal(%q) = %d, true", s, n)
		}
		if !ok && digits && len(s) <= 13 && mustParse(s) <= MaxFileSize {
			t.Fatalf("decimal(%q) refused a count within the limit", s)
		}
	})
}

func mustParse(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
