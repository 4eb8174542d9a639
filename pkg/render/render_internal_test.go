package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"helm.sh/helm/v3/pkg/releaseutil"
)

func TestSplitManifestsMatchesHelm(t *testing.T) {
	for _, in := range []string{
		"",
		"   \n  ",
		"a: 1",
		"---\na: 1",
		"a: 1\n---\nb: 2\n",
		"a: 1\n---\n---\nb: 2",
		"a: 1  \n  \n---  \nb: 2",
		"a: |\n  x\n  ---\n  y\nb: 2",
		"a: 1\n----\nb: 2",
		"a: 1\n---b: 2",
		"# c\n---\n# only a comment\n---\nkind: X",
		"\n\n---\n\nkind: A\n---\nkind: B\n---\n",
		"---",
		"------",
		"a\n---\n\n\n---\nb",
		"a\n---   x\n---\t\ny",
		"a\r\n---\r\nb",
	} {
		assert.Equal(t, releaseutil.SplitManifests(in), splitManifests(in), "%q", in)
	}
}
