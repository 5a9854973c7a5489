package advisory

import (
	"fmt"
	"strings"
	"testing"
)

func TestFindMentions(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // kind:text[:detail] per mention
	}{
		{"The PCU only requires access to DNS, dynamic host configuration protocol (DHCP) and SM on port 3613.",
			"service:DNS:dns service:DHCP:dhcp port:port 3613:3613"},
		{"Block TCP port 104 and ports 80, 443 and 8080/tcp.",
			"port:TCP port 104:tcp/104 port:ports 80, 443 and 8080/tcp:tcp/80 port:ports 80, 443 and 8080/tcp:tcp/443 port:ports 80, 443 and 8080/tcp:tcp/8080"},
		{"Allow 2575/tcp and UDP 161 only.", "port:2575/tcp:tcp/2575 port:UDP 161:udp/161"},
		{"Restrict access to 10.20.0.0/24 and 192.168.1.10 and fe80::1:2", "address:10.20.0.0/24 address:192.168.1.10 address:fe80::1:2"},
		{"Philips released Version 12.2.1.5 in June; version 1.1.7.333 and build 10.1.2.3 follow.", ""},
		{"Update to 12.2.8.400 or 300.1.1.1.", ""},
		{"See CVSS:3.0/AV:N/AC:L and port 0 and port 70000 and HTTPS.", "service:HTTPS:https"},
		{"dns and dhcp in prose are not services", ""},
	} {
		var got []string
		for _, m := range findMentions(c.text) {
			if c.text[m.Start:m.End] != m.Text {
				t.Errorf("%q: mention %+v does not point at its text", c.text, m)
			}
			s := string(m.Kind) + ":" + m.Text
			switch m.Kind {
			case MentionPort:
				s += ":" + strings.TrimPrefix(fmt.Sprintf("%s/%d", m.Proto, m.Port), "/")
			case MentionService:
				s += ":" + m.Service
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("findMentions(%q)\n got %q\nwant %q", c.text, strings.Join(got, " "), c.want)
		}
	}
	if ms := findMentions(strings.Repeat("port 80 ", 20000)); len(ms) == 0 || ms[len(ms)-1].End > maxMentionText {
		t.Errorf("a long text: %d mentions", len(ms))
	}
}
