package httphdr

import "errors"

// ErrNotHTTP means the data does not start with an HTTP/1.x request or
// status line.
var ErrNotHTTP = errors.New("httphdr: not an HTTP/1.x message head")

// ErrIncomplete means the head did not end within the data (or within
// MaxHeadBytes / MaxLines); the headers before the cut are returned.
var ErrIncomplete = errors.New("httphdr: message head incomplete")

// Info is what the head of one HTTP message says. Zero values mean absent.
type Info struct {
	StartLine
	Host      []byte // request Host
	UserAgent []byte // request User-Agent
	Server    []byte // response Server
	Headers   int    // header lines read
}

// ParseInto reads the head of the HTTP/1.x message at the start of b (the
// first bytes one side of a connection sent) into out without allocating.
// out is reset first. Only the first Host, User-Agent and Server headers
// count.
func ParseInto(b []byte, out *Info) error {
	*out = Info{}
	var s Scanner
	start, ok := s.Init(b)
	if !ok {
		return ErrNotHTTP
	}
	if out.StartLine, ok = ParseStartLine(start, "HTTP"); !ok {
		return ErrNotHTTP
	}
	for {
		name, value, ok := s.Next()
		if !ok {
			break
		}
		out.Headers++
		switch {
		case out.Request && out.Host == nil && EqualFold(name, "host"):
			out.Host = value
		case out.Request && out.UserAgent == nil && EqualFold(name, "user-agent"):
			out.UserAgent = value
		case !out.Request && out.Server == nil && EqualFold(name, "server"):
			out.Server = value
		}
	}
	if !s.Complete() {
		return ErrIncomplete
	}
	return nil
}
