package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cosv2/cosv2/gen/coserr"
)

// Listener wraps ln for s: at most Limits.MaxConns connections are open at
// once, at most Limits.MaxConnsPerPeer of them from one remote IP address
// (one more is answered 503 with the JSON envelope, -300, and closed),
// and the plain-text answers net/http writes itself to requests it cannot
// parse (a bad request line, a bad Content-Length, a header too large) are
// written as the JSON envelope every client of this API expects. The latter
// needs the http.Server of s.HTTPServer, which says when an answer of the
// handler is being written: those bytes pass untouched, whatever they hold.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return &listener{Listener: ln, slots: make(chan struct{}, s.cfg.Limits.MaxConns),
		perPeer: s.cfg.Limits.MaxConnsPerPeer, peers: map[string]int{}}
}

type listener struct {
	net.Listener
	slots chan struct{}

	perPeer int
	mu      sync.Mutex
	peers   map[string]int // open connections by remote IP
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := peerOf(c)
		if !l.take(peer) {
			go refuseConn(c)
			continue
		}
		select {
		case l.slots <- struct{}{}:
			return &conn{Conn: c, release: func() { <-l.slots; l.give(peer) }}, nil
		default:
			l.give(peer)
			go refuseConn(c)
		}
	}
}

// peerOf is the remote IP address of c, or its whole address if it has none.
func peerOf(c net.Conn) string {
	a := c.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(a); err == nil {
		return host
	}
	return a
}

// take counts one more connection of peer, unless it holds perPeer already.
func (l *listener) take(peer string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.peers[peer] >= l.perPeer {
		return false
	}
	l.peers[peer]++
	return true
}

// give counts one connection of peer less.
func (l *listener) give(peer string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.peers[peer]--; l.peers[peer] <= 0 {
		delete(l.peers, peer)
	}
}

// refuseConn tells a connection over the limit to come back later.
func refuseConn(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(plainToJSON(http.StatusServiceUnavailable, coserr.ErrOverload.Code, "too many connections; try again later"))
	_ = c.Close()
}

type conn struct {
	net.Conn
	once    sync.Once
	release func()
	// answering: the handler began an answer that is not all written yet
	// (set by Server.ServeHTTP, cleared when the connection goes idle).
	// Its bytes are never taken for net/http's own: a downloaded file may
	// hold one byte for byte.
	answering atomic.Bool
}

// connKey carries a request's *conn in its context (HTTPServer's ConnContext).
type connKey struct{}

// connContext puts c in the context of its requests.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// connState notes that a connection's answer is all written: net/http sets
// StateIdle after it flushed the last byte and before it reads the next
// request, the one it may refuse itself.
func connState(c net.Conn, st http.ConnState) {
	if cc, ok := c.(*conn); ok && st == http.StateIdle {
		cc.answering.Store(false)
	}
}

// markAnswering tells r's connection that the handler's answer begins.
func markAnswering(r *http.Request) {
	if c, ok := r.Context().Value(connKey{}).(*conn); ok {
		c.answering.Store(true)
	}
}

func (c *conn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// goErrorHeaders follow the status line of every answer net/http writes on
// its own (server.go, "errorHeaders"); a handler's answer has its headers in
// sorted order, so Connection never follows Content-Type directly.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write passes everything through but net/http's own error answers, which it
// writes whole in one call, never while the handler answers.
func (c *conn) Write(b []byte) (int, error) {
	if c.answering.Load() || len(b) > 512 || !bytes.HasPrefix(b, []byte("HTTP/1.1 ")) {
		return c.Conn.Write(b)
	}
	status, rest, ok := bytes.Cut(b[len("HTTP/1.1 "):], []byte(goErrorHeaders))
	code, err := strconv.Atoi(string(status[:min(3, len(status))]))
	if !ok || err != nil || code < 400 || bytes.ContainsAny(rest, "\r\n") {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(plainToJSON(code, coserr.ErrCGIParam.Code, string(rest))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// plainToJSON is a whole HTTP/1.1 answer that closes the connection.
func plainToJSON(status, code int, msg string) []byte {
	body := envelope(code, msg, nil)
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
