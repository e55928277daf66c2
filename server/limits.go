package server

import "time"

// Limits bound what peers can hold of a server. Zero fields take the values
// of DefaultLimits(); `cosv2 serve --help` shows them as flags.
type Limits struct {
	// MaxConns is how many connections are open at once; one more is answered
	// 503 (-300, retryable) and closed.
	MaxConns int
	// MaxConnsPerPeer is how many of them one peer (a remote IP address) may
	// hold; one more of its connections is answered 503 (-300) and closed,
	// while other peers are served. Behind a proxy every connection is the
	// proxy's: set it to MaxConns there.
	MaxConnsPerPeer int
	// ReadHeaderTimeout is how long a request's header may take to arrive.
	ReadHeaderTimeout time.Duration
	// ReadTimeout is how long a whole request, body included, may take to
	// arrive: a 21 MB upload needs 21 MB / ReadTimeout per second.
	ReadTimeout time.Duration
	// WriteTimeout is how long an answer may take to write; a download must
	// make progress (32 KB) within each WriteTimeout instead.
	WriteTimeout time.Duration
	// IdleTimeout is how long a kept-alive connection may wait for its next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header.
	MaxHeaderBytes int
	// BodyMemory bounds the request bodies held in memory at once, counted
	// from Content-Length (MaxBody when unknown) once the signature holds; a
	// request waits for its share.
	BodyMemory int64
	// OnceWindow is how far a one-time signature's t may be from the server's
	// clock; the signatures used within it are kept in the store, so a replay
	// is refused across restarts, and for the longest OnceWindow of the
	// servers sharing the store (see nonces.go).
	OnceWindow time.Duration
	// MaxNonces bounds the one-time signatures remembered within OnceWindow;
	// when full, one-time requests are refused (-300, retryable) until some
	// leave the window: never forgotten early.
	MaxNonces int
}

// DefaultLimits returns the limits a zero Limits takes.
func DefaultLimits() Limits { return defaultLimits }

var defaultLimits = Limits{
	MaxConns:          1024,
	MaxConnsPerPeer:   128,
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       2 * time.Minute,
	WriteTimeout:      2 * time.Minute,
	IdleTimeout:       time.Minute,
	MaxHeaderBytes:    64 << 10,
	BodyMemory:        256 << 20,
	OnceWindow:        15 * time.Minute,
	MaxNonces:         1 << 20,
}

func (l Limits) withDefaults() Limits {
	d := defaultLimits
	pick(&l.MaxConns, d.MaxConns)
	pick(&l.MaxConnsPerPeer, d.MaxConnsPerPeer)
	pick(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	pick(&l.ReadTimeout, d.ReadTimeout)
	pick(&l.WriteTimeout, d.WriteTimeout)
	pick(&l.IdleTimeout, d.IdleTimeout)
	pick(&l.MaxHeaderBytes, d.MaxHeaderBytes)
	pick(&l.BodyMemory, d.BodyMemory)
	pick(&l.OnceWindow, d.OnceWindow)
	pick(&l.MaxNonces, d.MaxNonces)
	// One body of the largest size must fit, or it would wait forever.
	l.BodyMemory = max(l.BodyMemory, MaxBody+1<<10)
	return l
}

func pick[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
