package server

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"reflect"
	"testing"
)

// formSeeds are bodies in the shapes clients send and in the shapes
// splitForm leaves to mime/multipart, for the fuzz target and the table of
// form_test.go.
func formSeeds() (boundaries []string, bodies [][]byte) {
	const b = "0123456789abcdef0123456789abcdef"
	var w bytes.Buffer
	mw := multipart.NewWriter(&w)
	_ = mw.SetBoundary(b)
	_ = mw.WriteField("op", "upload_slice_data")
	fw, _ := mw.CreateFormFile("filecontent", "blob")
	_, _ = fw.Write([]byte("data with \r\n-- inside\r\n--0123 and more"))
	_ = mw.Close()
	for _, s := range []string{
		w.String(),
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload\r\n--" + b + "--",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload\r\n--" + b + "--\r\nepilogue",
		"preamble\r\n--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload\r\n--" + b + "--\r\n",
		"--" + b + "\nContent-Disposition: form-data; name=\"op\"\n\nupload\n--" + b + "--\n",
		"--" + b + "  \r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload\r\n--" + b + " \r\n\r\n\r\n--" + b + "--\r\n",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nup=\r\nload\r\n--" + b + "--\r\n",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nup\r\n--" + b + "x\r\n--" + b + "--\r\n",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\n--" + b + "--\r\n",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\n\nup\r\n\r\n--" + b + "--\r\n",
		"--" + b + "\r\nContent-Disposition: attachment; name=\"op\"\r\n\r\nup\r\n--" + b + "--garbage",
		"--" + b + "\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nup\r\n--" + b,
	} {
		boundaries, bodies = append(boundaries, b), append(bodies, []byte(s))
	}
	return boundaries, bodies
}

// FuzzSplitForm: what splitForm parses in place, mime/multipart parses to
// the same parts (headers, names, data); readParts gives what mime/multipart
// gives; neither panics.
func FuzzSplitForm(f *testing.F) {
	bs, bodies := formSeeds()
	for i := range bodies {
		f.Add(bodies[i], bs[i])
	}
	f.Add([]byte("--a\r\n\r\n\r\n--a--"), "a")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		want, wantErr := stdParts(body, boundary)
		got, _, err := readParts(body, boundary, nil)
		if (err == nil) != (wantErr == nil) || err == nil && !sameParts(got, want) {
			t.Fatalf("readParts: %v %v; mime/multipart: %v %v", got, err, want, wantErr)
		}
		fast, ok := splitForm(body, boundary)
		if !ok {
			return
		}
		if wantErr != nil {
			t.Fatalf("splitForm parsed what mime/multipart refuses (%v): %q", wantErr, fast)
		}
		if !sameParts(fast, want) {
			t.Fatalf("splitForm gave %q, mime/multipart %q", fast, want)
		}
	})
}

// stdParts is mime/multipart's reading of body, names by Part.FormName.
func stdParts(body []byte, boundary string) ([]formPart, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var out []formPart
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) == MaxParts {
			return nil, errTooManyParts
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		fp := formPart{header: p.Header, data: data}
		if fp.name() != p.FormName() {
			return nil, errors.New("name differs from FormName: " + fp.name())
		}
		out = append(out, fp)
	}
}

func sameParts(a, b []formPart) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].header, b[i].header) || !bytes.Equal(a[i].data, b[i].data) || a[i].name() != b[i].name() {
			return false
		}
	}
	return true
}
