package flagsmith_test

import (
	"testing"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestFuzzedDocumentsRender: every mutated example the schema accepts renders valid manifests.
func TestFuzzedDocumentsRender(t *testing.T) {
	charttest.RequireFuzzedRenders(t, charttest.Fuzz{Chart: "flagsmith", ExamplesDir: example(""), N: 1500, Skip: charttest.OtherScopes})
}
