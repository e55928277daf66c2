package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// node is a directory or a file of a bucket.
type node struct {
	Bucket    string            `json:"bucket"`
	Path      string            `json:"path"` // leading "/"; a directory's ends in "/"
	BizAttr   string            `json:"biz_attr"`
	Ctime     int64             `json:"ctime"`
	Mtime     int64             `json:"mtime"`
	Size      int64             `json:"size,omitempty"`
	SHA       string            `json:"sha,omitempty"`
	Data      string            `json:"data,omitempty"` // blob key of a file's bytes
	Authority string            `json:"authority,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
}

func (n *node) dir() bool { return strings.HasSuffix(n.Path, "/") }

// session is an unfinished slice upload.
type session struct {
	ID         string     `json:"id"`
	Bucket     string     `json:"bucket"`
	Path       string     `json:"path"`
	FileSize   int64      `json:"filesize"`
	SliceSize  int64      `json:"slice_size"`
	Overwrite  bool       `json:"overwrite"`
	BizAttr    string     `json:"biz_attr"`
	SHA        string     `json:"sha,omitempty"`
	Parts      []sumPart  `json:"uploadparts,omitempty"`
	Created    int64      `json:"created"`
	mu         sync.Mutex `json:"-"`
	storedOffs map[int64]int64
	rehash     bool      // a slice was stored again: the running hash may be of other bytes
	hs         sliceHash // guarded by its own mutex
}

// sumPart is one entry of an init's uploadparts.
type sumPart struct {
	Offset  int64  `json:"offset"`
	Datalen int64  `json:"datalen"`
	Datasha string `json:"datasha"`
}

// index is the server's view of every bucket, kept in memory and persisted
// as one JSON blob per node and per session.
type index struct {
	mu       sync.Mutex
	store    blobs
	nodes    map[string]map[string]*node // bucket → path → node
	sessions map[string]*session         // bucket+path → session
}

func metaKey(bucket, path string) string {
	h := sha256.Sum256([]byte(bucket + "\x00" + path))
	return "meta/" + hex.EncodeToString(h[:2]) + "/" + hex.EncodeToString(h[:]) + ".json"
}

func sessionKey(id string) string { return "sess/" + id + "/info.json" }

func partKey(id string, off int64) string {
	return "sess/" + id + "/part-" + leftPad(off)
}

func leftPad(n int64) string {
	s := "0000000000000000000" + itoa(n)
	return s[len(s)-19:]
}

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func dataKey() string { id := newID(); return "data/" + id[:2] + "/" + id }

func loadIndex(store blobs, buckets []string) (*index, error) {
	ix := &index{store: store, nodes: map[string]map[string]*node{}, sessions: map[string]*session{}}
	for _, b := range buckets {
		ix.nodes[b] = map[string]*node{}
	}
	keys, err := store.list("meta/")
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, k := range keys {
		var n node
		if err := readJSON(store, k, &n); err != nil {
			return nil, err
		}
		if m, ok := ix.nodes[n.Bucket]; ok {
			m[n.Path] = &n
			used[n.Data] = true
		}
	}
	// Bytes no node refers to are the data of writes a crash cut short.
	if keys, err = store.list("data/"); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !used[k] {
			_ = store.remove(k)
		}
	}
	if keys, err = store.list("sess/"); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !strings.HasSuffix(k, "/info.json") {
			continue
		}
		s := &session{}
		if err := readJSON(store, k, s); err != nil {
			return nil, err
		}
		s.storedOffs = map[int64]int64{}
		parts, _ := store.list("sess/" + s.ID + "/part-")
		for _, p := range parts {
			if b, err := store.open(p); err == nil {
				off := atoi(strings.TrimLeft(p[strings.LastIndex(p, "-")+1:], "0"))
				s.storedOffs[off] = b.Size()
				b.Close()
			}
		}
		ix.sessions[s.Bucket+s.Path] = s
	}
	return ix, nil
}

func readJSON(store blobs, key string, v any) error {
	b, err := store.open(key)
	if err != nil {
		return err
	}
	defer b.Close()
	return json.NewDecoder(b).Decode(v)
}

func writeJSON(store blobs, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = store.put(key, strings.NewReader(string(raw)))
	return err
}

// get returns the node at path; the bucket root always exists.
func (ix *index) get(bucket, path string) *node {
	if path == "/" {
		return &node{Bucket: bucket, Path: "/"}
	}
	return ix.nodes[bucket][path]
}

// parent returns the directory path that holds path.
func parent(path string) string {
	t := strings.TrimSuffix(path, "/")
	return t[:strings.LastIndex(t, "/")+1]
}

// save persists n and makes it visible; the caller holds ix.mu.
func (ix *index) save(n *node) error {
	if err := writeJSON(ix.store, metaKey(n.Bucket, n.Path), n); err != nil {
		return err
	}
	ix.nodes[n.Bucket][n.Path] = n
	return nil
}

// drop removes n; the caller holds ix.mu.
func (ix *index) drop(n *node) error {
	if err := ix.store.remove(metaKey(n.Bucket, n.Path)); err != nil {
		return err
	}
	delete(ix.nodes[n.Bucket], n.Path)
	return nil
}

// children returns the sorted names of the entries of dir starting with prefix.
func (ix *index) children(bucket, dir, prefix string) []*node {
	var out []*node
	for p, n := range ix.nodes[bucket] {
		if parent(p) == dir && strings.HasPrefix(strings.TrimPrefix(p, dir), prefix) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// withSHA returns a file of bucket with that SHA-1 and size, or nil; the
// caller holds ix.mu.
func (ix *index) withSHA(bucket, sha string, size int64) *node {
	if sha == "" {
		return nil
	}
	for _, n := range ix.nodes[bucket] {
		if n.Data != "" && n.Size == size && strings.EqualFold(n.SHA, sha) {
			return n
		}
	}
	return nil
}

func (ix *index) hasChildren(bucket, dir string) bool {
	for p := range ix.nodes[bucket] {
		if p != dir && strings.HasPrefix(p, dir) {
			return true
		}
	}
	return false
}
