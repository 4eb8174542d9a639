// Package chartkit turns a chart definition (Go value types with doc comments and defaults,
// cross-field rules, templates) into a complete Helm chart: Chart.yaml, values.yaml,
// values.schema.json, README.md, the chart's templates and the shared helper library.
package chartkit

import (
	"io/fs"
)

// Chart describes one generated chart. Everything users see is derived from it.
type Chart struct {
	// Name of the chart (also its directory under charts/).
	Name string
	// Version of the chart (SemVer). Bump it whenever the chart's generated files change:
	// charts/versions.lock records each version's content hash, and generation refuses new
	// content under a recorded version.
	Version string
	// Changelog lists the chart's versions, newest first. The first entry must be Version's; its
	// changes become Chart.yaml's artifacthub.io/changes.
	Changelog []Release
	// AppVersion is the default image tag.
	AppVersion string
	// Description is Chart.yaml's one-line description.
	Description string
	// KubeVersion constraint of the chart.
	KubeVersion string
	// Home page of the app.
	Home string
	// Icon URL for Artifact Hub.
	Icon string
	// Sources lists source repositories.
	Sources []string
	// Keywords for chart search.
	Keywords []string
	// ArtifactHub adds artifacthub.io annotations (license, category, links...); images and
	// changes are derived from Defaults and Changelog.
	ArtifactHub map[string]string
	// Defaults is the chart's values struct filled with its defaults. Its type's doc comments
	// document every value.
	Defaults any
	// SourceDirs are module-relative directories whose Go doc comments document Defaults' types.
	SourceDirs []string
	// Rules are the cross-field rules written into the schema.
	Rules []Rule
	// Compat, when set, makes the chart accept another chart's values (see Compat).
	Compat *Compat
	// Templates holds the chart's own templates (templates/*.yaml, NOTES.txt, tests/...), rooted
	// so that "templates/x.yaml" is a path in it.
	Templates fs.FS
	// Intro is the README's opening, in Markdown.
	Intro string
	// Topologies documents each topology in the README, in order.
	Topologies []Topology
	// ReadmeNotes are extra README sections (title → Markdown), in order.
	ReadmeNotes []Section
}

// Topology is one way of running the chart, documented in the README with its example.
type Topology struct {
	Name        string
	Description string
	// Example names a file under examples/<chart>/ that produces this topology.
	Example string
}

// Section is a titled README section.
type Section struct {
	Title string
	Body  string
}

// Release is one chart version's changelog entry.
type Release struct {
	Version string
	Changes []Change
}

// Change is one changelog line. Kind is one of Artifact Hub's: added, changed, deprecated,
// removed, fixed, security.
type Change struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
}
