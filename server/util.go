package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// decimal reads a count as the document writes it: decimal digits only (no
// sign, space or exponent), at most limit.
func decimal(s string, limit int64) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= limit
}

// maxJSONDepth bounds the nesting of a JSON body: the API's deepest is 2
// (custom_headers in an object). noDuplicates recurses once a level, and
// its stack, unlike the body, is not counted in Limits.BodyMemory: 64 KB of
// "[" took 32 MB.
const maxJSONDepth = 32

// decodeObject decodes a JSON object into v after checking that no object in
// it repeats a key: encoding/json keeps the last of two, so
// {"op":"update","op":"delete"} would be a delete to us and an update to a
// reader that keeps the first. Values nested deeper than maxJSONDepth are refused.
func decodeObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := noDuplicates(dec, maxJSONDepth); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return json.Unmarshal(body, v)
}

// noDuplicates walks one JSON value from dec, nested at most depth deep.
func noDuplicates(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth == 0 {
		return fmt.Errorf("nested more than %d deep", maxJSONDepth)
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if seen[key] {
				return fmt.Errorf("key %q appears twice", key)
			}
			seen[key] = true
			if err := noDuplicates(dec, depth-1); err != nil {
				return err
			}
		}
	case '[':
		for dec.More() {
			if err := noDuplicates(dec, depth-1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}
