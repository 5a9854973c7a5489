// Package ssh reads the identification string ("banner") each side of an
// SSH connection sends first (RFC 4253 4.2):
//
//	SSH-protoversion-softwareversion SP comments CR LF
//
// e.g. "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1". The software version and
// comments name the SSH implementation and often the OS distribution and
// package version of a server, or the client program.
//
// ParseInto reads the first bytes one side sent and does not allocate;
// Banner's slices alias the input and are untrusted text (nothing is
// sanitised). A server may send other lines before its banner; at most
// MaxLines lines and MaxBytes bytes are looked at, and a banner line is at
// most 255 bytes (RFC 4253).
//
// # Signals and their strength as evidence
//
//	ssh.server_banner  software and comments of the server ("OpenSSH_8.9p1 Ubuntu-3ubuntu0.1", "dropbear_2020.81", "Cisco-1.25", "ROSSSH"): SSH stack and often OS distribution/version and device family; strong for OS and firmware family, weak for the model
//	ssh.client_banner  client software ("PuTTY_Release_0.78", "libssh2_1.10.0"): the client program; medium for OS, marks an administration workstation or an automation host
//
// The banner's sender is the end of the TCP connection that sent it (the
// server: the side that listens on the SSH port).
package ssh

import (
	"bytes"
	"errors"
)

// Bounds.
const (
	MaxLines    = 16   // lines looked at before the banner
	MaxBytes    = 4096 // bytes looked at
	maxBannerLn = 255  // RFC 4253: the identification line, CR LF included
)

// Errors.
var (
	// ErrNoBanner means no line starting with "SSH-" was found within the
	// bounds, or the line found is not a valid identification string.
	ErrNoBanner = errors.New("ssh: no identification string")
	// ErrIncomplete means the data ended inside a line that starts like a
	// banner ("SSH-" or a prefix of it): more data may complete it.
	ErrIncomplete = errors.New("ssh: identification string incomplete")
)

// Banner is a parsed identification string.
type Banner struct {
	Line            []byte // the whole line without CR LF
	ProtoVersion    []byte // "2.0", or "1.99" (compatible with 1.x and 2.0)
	SoftwareVersion []byte // "OpenSSH_8.9p1"
	Comments        []byte // what follows the first space, if anything
}

// ParseInto finds the identification string at the start of b (after at
// most MaxLines other lines) and splits it, without allocating.
func ParseInto(b []byte, out *Banner) error {
	*out = Banner{}
	if len(b) > MaxBytes {
		b = b[:MaxBytes]
	}
	for range MaxLines {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			// A cut line that is or may become a banner: more data may complete it.
			if len(b) < maxBannerLn && bytes.HasPrefix([]byte("SSH-"), b[:min(len(b), 4)]) {
				return ErrIncomplete
			}
			return ErrNoBanner
		}
		line := b[:i]
		b = b[i+1:]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if !bytes.HasPrefix(line, []byte("SSH-")) {
			continue
		}
		if len(line) > maxBannerLn-2 {
			return ErrNoBanner
		}
		return out.split(line)
	}
	return ErrNoBanner
}

func (out *Banner) split(line []byte) error {
	out.Line = line
	rest := line[4:]
	i := bytes.IndexByte(rest, '-')
	if i <= 0 {
		return ErrNoBanner
	}
	out.ProtoVersion, rest = rest[:i], rest[i+1:]
	if j := bytes.IndexByte(rest, ' '); j >= 0 {
		out.SoftwareVersion, out.Comments = rest[:j], rest[j+1:]
	} else {
		out.SoftwareVersion = rest
	}
	if len(out.SoftwareVersion) == 0 {
		return ErrNoBanner
	}
	return nil
}
