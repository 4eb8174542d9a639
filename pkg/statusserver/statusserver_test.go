package statusserver

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsPrivate(t *testing.T) {
	for addr, want := range map[string]bool{
		"10.0.0.1": true, "172.16.5.4": true, "172.32.0.1": false, "192.168.1.1": true, "127.0.0.1": true,
		"169.254.169.254": true, "::1": true, "fe80::1": true, "fd12:3456::1": true, "::ffff:10.1.2.3": true,
		"8.8.8.8": false, "100.64.0.1": false, "2001:db8::1": false, "::ffff:8.8.8.8": false,
	} {
		assert.Equal(t, want, IsPrivate(netip.MustParseAddr(addr)), addr)
	}
	assert.False(t, IsPrivate(netip.Addr{}), "an invalid address is public")
}

func TestClientAddr(t *testing.T) {
	s := New(Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("fd00::/64")}})
	tests := []struct {
		name, peer, xff, want string
		via                   bool
	}{
		{name: "no proxy", peer: "203.0.113.9:4000", want: "203.0.113.9"},
		{name: "untrusted peer's header is ignored", peer: "192.168.1.1:4000", xff: "203.0.113.9", want: "192.168.1.1"},
		{name: "public peer cannot claim a private address", peer: "203.0.113.9:4000", xff: "10.0.0.5", want: "203.0.113.9"},
		{name: "trusted proxy", peer: "10.0.0.5:4000", xff: "203.0.113.9", want: "203.0.113.9", via: true},
		{name: "rightmost untrusted hop wins over a spoofed left one", peer: "10.0.0.5:4000", xff: "10.9.9.9, 203.0.113.9", want: "203.0.113.9", via: true},
		{name: "chain of trusted proxies", peer: "10.0.0.5:4000", xff: "198.51.100.1, 10.0.0.7", want: "198.51.100.1", via: true},
		{name: "trusted proxy without header", peer: "10.0.0.5:4000", want: "10.0.0.5"},
		{name: "IPv6 proxy", peer: "[fd00::5]:4000", xff: "2001:db8::7", want: "2001:db8::7", via: true},
		{name: "malformed header", peer: "10.0.0.5:4000", xff: "203.0.113.9:80", want: "invalid IP", via: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			got, via := s.ClientAddr(r)
			assert.Equal(t, tc.want, got.String())
			assert.Equal(t, tc.via, via)
		})
	}
}
