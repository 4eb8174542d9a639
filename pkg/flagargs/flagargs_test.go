package flagargs

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantPos  []string
		wantFlag bool
		wantErr  error
	}{
		{name: "none", args: nil},
		{name: "flag first", args: []string{"--cascade", "q1"}, wantPos: []string{"q1"}, wantFlag: true},
		{name: "flag after positional", args: []string{"q1", "--cascade", "q2"}, wantPos: []string{"q1", "q2"}, wantFlag: true},
		{name: "double dash protects the next argument", args: []string{"--", "--cascade"}, wantPos: []string{"--cascade"}},
		{name: "help after positional", args: []string{"q1", "-h"}, wantErr: flag.ErrHelp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cascade := fs.Bool("cascade", false, "")
			pos, err := Parse(fs, tc.args)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantPos, pos)
			assert.Equal(t, tc.wantFlag, *cascade)
		})
	}
}

func TestParseUnknownFlag(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, err := Parse(fs, []string{"q1", "--nope"})
	assert.ErrorContains(t, err, "flag provided but not defined: -nope")
}
