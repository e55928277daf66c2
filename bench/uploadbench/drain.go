package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cosv2/cosv2/signer"
)

// drainCOS answers the slice protocol (init, data, finish) the way the service
// does, but keeps no bytes: it checks the signature, reads each slice's
// multipart body as a stream and discards the file content, as the ceiling's
// server discards its bodies. Timing the uploader against it measures what the
// uploader itself costs (signing, forms, hashing, scheduling) against the
// ceiling, apart from what a store costs; the table times the local server
// too. It counts the bytes it drained per session and refuses a finish that
// does not add up, so a broken upload cannot look fast.
type drainCOS struct {
	verify signer.Verifier
	mu     sync.Mutex
	got    map[string]int64 // session -> bytes drained
	next   int
}

// drainBuffer is the size of the read buffers of both draining servers, which
// they reuse from request to request.
const drainBuffer = 256 << 10

var (
	buffers = sync.Pool{New: func() any { return new([drainBuffer]byte) }}
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, drainBuffer) }}
)

// drain reads r to its end through a pooled buffer.
func drain(r io.Reader) (int64, error) {
	b := buffers.Get().(*[drainBuffer]byte)
	defer buffers.Put(b)
	return io.CopyBuffer(io.Discard, r, b[:])
}

func newDrainCOS() *drainCOS {
	return &drainCOS{
		verify: signer.Verifier{Keys: signer.Keys{"id": "key"}, Now: time.Now},
		got:    map[string]int64{},
	}
}

func (d *drainCOS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	file := strings.TrimPrefix(r.URL.Path, "/files/v2/1/b")
	want := signer.Expectation{AppID: "1", Bucket: "b", Kind: signer.Multi, FileID: signer.FileID("1", "b", file)}
	if err := d.verify.Verify(r.Header.Get("Authorization"), want); err != nil {
		reply(w, -88, err.Error(), nil)
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		reply(w, -1, "not a multipart form", nil)
		return
	}
	// multipart reads through a 4 KB buffer unless given a larger one.
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(r.Body)
	mr := multipart.NewReader(br, params["boundary"])
	fields := map[string]string{}
	var drained int64
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			reply(w, -1, err.Error(), nil)
			return
		}
		if p.FormName() == "filecontent" {
			drained, err = drain(p)
		} else {
			var b []byte
			b, err = io.ReadAll(io.LimitReader(p, 1<<20))
			fields[p.FormName()] = string(b)
		}
		if err != nil {
			reply(w, -1, err.Error(), nil)
			return
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch fields["op"] {
	case "upload_slice_init":
		d.next++
		s := strconv.Itoa(d.next)
		d.got[s] = 0
		reply(w, 0, "SUCCESS", map[string]any{"session": s, "slice_size": json.Number(fields["slice_size"]), "serial_upload": 0})
	case "upload_slice_data":
		s := fields["session"]
		if _, ok := d.got[s]; !ok {
			reply(w, -4009, "no such session", nil)
			return
		}
		d.got[s] += drained
		reply(w, 0, "SUCCESS", map[string]any{"session": s, "offset": json.Number(fields["offset"])})
	case "upload_slice_finish":
		s := fields["session"]
		if size, _ := strconv.ParseInt(fields["filesize"], 10, 64); d.got[s] != size {
			reply(w, -4016, fmt.Sprintf("drained %d bytes of %d", d.got[s], size), nil)
			return
		}
		delete(d.got, s)
		url := "http://b-1.drain" + r.URL.Path
		reply(w, 0, "SUCCESS", map[string]any{"access_url": url, "source_url": url, "url": url, "resource_path": r.URL.Path})
	default:
		reply(w, -1, "op "+fields["op"]+" is not drained", nil)
	}
}

func reply(w http.ResponseWriter, code int, msg string, data any) {
	w.Header().Set("Content-Type", "application/json")
	if code != 0 {
		w.WriteHeader(http.StatusBadRequest)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "data": data})
}
