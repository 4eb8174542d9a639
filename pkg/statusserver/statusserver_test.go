package statusserver

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestChecksRunConcurrentlyWithTimeouts: a hanging check is cut at CheckTimeout and reported,
// the others run beside it (the whole round takes one timeout, not the sum), and requests
// arriving during a round share it.
func TestChecksRunConcurrentlyWithTimeouts(t *testing.T) {
	var runs atomic.Int32
	slow := func(ctx context.Context) error { runs.Add(1); <-ctx.Done(); return ctx.Err() }
	quick := func(context.Context) error { return nil }
	failing := func(context.Context) error { return errors.New("boom") }
	s := New(Config{CheckTimeout: 300 * time.Millisecond, Checks: []Check{
		{Name: "hangs", Kind: "tcp", Run: slow}, {Name: "hangs-too", Kind: "tcp", Run: slow},
		{Name: "ok", Kind: "http", Run: quick}, {Name: "fails", Kind: "http", Run: failing},
	}})

	start := time.Now()
	var wg sync.WaitGroup
	reports := make([]Report, 5)
	for i := range reports {
		wg.Go(func() { reports[i] = s.Check(context.Background()) })
	}
	wg.Wait()
	took := time.Since(start)
	assert.Less(t, took, 900*time.Millisecond, "checks ran one after another")
	assert.EqualValues(t, 2, runs.Load(), "five concurrent requests share one round")
	for _, rep := range reports {
		require.Len(t, rep.Components, 4)
		assert.Equal(t, "unhealthy", rep.Status)
		byName := map[string]Result{}
		for _, c := range rep.Components {
			byName[c.Name] = c
		}
		assert.Contains(t, byName["hangs"].Error, "no answer within 300ms")
		assert.Equal(t, "healthy", byName["ok"].Status)
		assert.Equal(t, "boom", byName["fails"].Error)
	}
	s.Check(context.Background())
	assert.EqualValues(t, 4, runs.Load(), "a later request runs a new round")
}

func TestScrub(t *testing.T) {
	err := Scrub(errors.New(`connect postgres://u:hunter2-secret@db/x failed: password "hunter2-secret"`), "hunter2-secret", "")
	assert.Equal(t, `connect postgres://u:[redacted]@db/x failed: password "[redacted]"`, err.Error())
	assert.Nil(t, Scrub(nil, "x"))
}
