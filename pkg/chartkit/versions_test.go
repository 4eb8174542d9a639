package chartkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckVersions(t *testing.T) {
	prev := Lock{"flowise": {Version: "0.1.0", Hash: "sha256:aaa"}, "flowkit": {Version: "1.2.3", Hash: "sha256:bbb"}}
	sources := map[string]string{"flowise": "pkg/charts/flowise"}
	tests := []struct {
		name    string
		next    Lock
		wantErr []string // substrings; none means no error
	}{
		{name: "unchanged", next: Lock{"flowise": {"0.1.0", "sha256:aaa"}, "flowkit": {"1.2.3", "sha256:bbb"}}},
		{name: "changed content, same version", next: Lock{"flowise": {"0.1.0", "sha256:ccc"}, "flowkit": {"1.2.3", "sha256:bbb"}},
			wantErr: []string{"flowise: generated files changed but version 0.1.0 is unchanged", "pkg/charts/flowise/chart.go"}},
		{name: "changed content, bumped", next: Lock{"flowise": {"0.1.1", "sha256:ccc"}, "flowkit": {"1.2.3", "sha256:bbb"}}},
		{name: "bump without content change", next: Lock{"flowise": {"0.2.0", "sha256:aaa"}}},
		{name: "changed content, lower version", next: Lock{"flowkit": {"1.2.2", "sha256:ddd"}},
			wantErr: []string{"flowkit: generated files changed and version 1.2.2 is not above 1.2.3", "its chart definition"}},
		{name: "not SemVer", next: Lock{"flowkit": {"v2", "sha256:ddd"}}, wantErr: []string{`flowkit: version "v2" is not SemVer`}},
		{name: "new chart", next: Lock{"flagsmith": {"0.1.0", "sha256:eee"}}},
		{name: "every offender named", next: Lock{"flowise": {"0.1.0", "sha256:x"}, "flowkit": {"1.2.3", "sha256:y"}},
			wantErr: []string{"flowise: generated files changed", "flowkit: generated files changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckVersions(prev, tt.next, sources)
			if len(tt.wantErr) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	files := Files{
		"charts/flowise/Chart.yaml":           []byte("version: 0.1.0\n"),
		"charts/flowise/values.yaml":          []byte("a: 1\n"),
		"charts/flowise/ci/queue-values.yaml": []byte("x: 1\n"),
		"charts/flowkit/values.yaml":          []byte("b: 2\n"),
	}
	base := ContentHash(files, "flowise")
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, base)

	files["charts/flowise/ci/queue-values.yaml"] = []byte("x: 2\n")
	files["charts/flowkit/values.yaml"] = []byte("b: 3\n")
	assert.Equal(t, base, ContentHash(files, "flowise"), "ct's ci/ values and other charts do not count")

	files["charts/flowise/values.yaml"] = []byte("a: 2\n")
	assert.NotEqual(t, base, ContentHash(files, "flowise"))

	// Moving bytes between files is a change too.
	a := ContentHash(Files{"charts/c/x": []byte("ab"), "charts/c/y": []byte("c")}, "c")
	b := ContentHash(Files{"charts/c/x": []byte("a"), "charts/c/y": []byte("bc")}, "c")
	assert.NotEqual(t, a, b)
}

func TestLockRoundTrip(t *testing.T) {
	lock := Lock{"flowkit": {"1.0.0", "sha256:b"}, "flowise": {"0.1.0", "sha256:a"}}
	data := lock.Marshal()
	assert.Contains(t, string(data), "flowise 0.1.0 sha256:a\nflowkit 1.0.0 sha256:b\n")
	got, err := ParseLock(data)
	require.NoError(t, err)
	assert.Equal(t, lock, got)

	_, err = ParseLock([]byte("flowise 0.1.0\n"))
	assert.ErrorContains(t, err, "charts/versions.lock:1")
}

func TestChangelog(t *testing.T) {
	ok := []Change{{Kind: "added", Description: "x"}}
	tests := []struct {
		name    string
		chart   Chart
		wantErr string
	}{
		{name: "current version first", chart: Chart{Version: "0.2.0", Changelog: []Release{{"0.2.0", ok}, {"0.1.0", ok}}}},
		{name: "bump without entry", chart: Chart{Version: "0.2.0", Changelog: []Release{{"0.1.0", ok}}}, wantErr: "start with an entry for version 0.2.0"},
		{name: "no changelog", chart: Chart{Version: "0.1.0"}, wantErr: "start with an entry"},
		{name: "empty entry", chart: Chart{Version: "0.1.0", Changelog: []Release{{Version: "0.1.0"}}}, wantErr: "lists no changes"},
		{name: "unknown kind", chart: Chart{Version: "0.1.0", Changelog: []Release{{"0.1.0", []Change{{Kind: "improved", Description: "x"}}}}}, wantErr: "needs a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.chart.checkChangelog()
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}
