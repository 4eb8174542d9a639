package chartvalues

import "github.com/invopop/jsonschema"

// Label syntax of the Kubernetes API (k8s.io/apimachinery validation.IsQualifiedName and
// IsValidLabelValue), written for Go's regexp (no lookahead) so Helm's validator runs it.
const (
	// labelKeyPattern: an optional DNS subdomain prefix and "/", then a name of at most 63
	// characters. The prefix is at most four DNS labels of at most 62 characters, which keeps it
	// within the API's 253.
	labelKeyPattern = `^([a-z0-9]([-a-z0-9]{0,60}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,60}[a-z0-9])?){0,3}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`
	// labelValuePattern: empty, or at most 63 characters starting and ending alphanumeric.
	labelValuePattern = `^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`
	// dns1123LabelPattern is the API's rule for volume names (validation.IsDNS1123Label).
	dns1123LabelPattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// subPathPattern: a relative path none of whose elements is "..", as the API requires.
	subPathPattern = `^(([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+|\.)(/([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+|\.)?)*)?$`
)

// ReservedLabels are the labels the charts set on every object themselves (the selectors among
// them): commonLabels may not set them, or an object would carry a key twice.
var ReservedLabels = []string{
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
	"app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart",
}

// Labels maps Kubernetes label keys to values.
type Labels map[string]string

// JSONSchema types keys and values with the API's label syntax. patternProperties rather than
// propertyNames: Helm's validator names an unknown key exactly.
func (Labels) JSONSchema() *jsonschema.Schema {
	maxValue := uint64(63)
	props := jsonschema.NewProperties()
	for _, k := range ReservedLabels {
		props.Set(k, &jsonschema.Schema{Not: &jsonschema.Schema{}, Description: "The chart's own label: not settable."})
	}
	return &jsonschema.Schema{
		Type:       "object",
		Properties: props,
		PatternProperties: map[string]*jsonschema.Schema{
			labelKeyPattern: {Type: "string", MaxLength: &maxValue, Pattern: labelValuePattern},
		},
		AdditionalProperties: jsonschema.FalseSchema,
	}
}

// restrictedVolumeSources are the volume types the "restricted" Pod Security Standard allows.
var restrictedVolumeSources = []string{
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
}

// Volume is a Kubernetes Volume: a name and exactly one source, kept free-form in values.yaml.
type Volume map[string]any

// JSONSchema requires a DNS-1123 label name and one source among those the "restricted" Pod
// Security Standard allows (no hostPath and the like), whose fields pass through to the API.
func (Volume) JSONSchema() *jsonschema.Schema {
	minName, maxName, two := uint64(1), uint64(63), uint64(2)
	props := jsonschema.NewProperties()
	props.Set("name", &jsonschema.Schema{Type: "string", MinLength: &minName, MaxLength: &maxName, Pattern: dns1123LabelPattern,
		Description: "Volume name (a DNS-1123 label), what extraVolumeMounts[].name refers to."})
	for _, src := range restrictedVolumeSources {
		props.Set(src, &jsonschema.Schema{Type: "object", Description: "Kubernetes " + src + " volume source."})
	}
	return &jsonschema.Schema{
		Type:                 "object",
		Properties:           props,
		Required:             []string{"name"},
		MinProperties:        &two,
		MaxProperties:        &two,
		AdditionalProperties: jsonschema.FalseSchema,
	}
}

// VolumeMount is a Kubernetes VolumeMount of one of extraVolumes into the app's container.
type VolumeMount struct {
	// Name of the volume (one of extraVolumes).
	Name string `json:"name" jsonschema:"required,minLength=1,maxLength=63,pattern=^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`
	// Absolute path in the container.
	MountPath string `json:"mountPath" jsonschema:"required,minLength=2,pattern=^/[^:]*$"`
	// Mount read-only.
	ReadOnly bool `json:"readOnly,omitempty"`
	// Path inside the volume to mount instead of its root (relative, no "..").
	SubPath string `json:"subPath,omitempty"`
}

// JSONSchemaExtend applies the subPath rule (a pattern too long for a struct tag).
func (VolumeMount) JSONSchemaExtend(s *jsonschema.Schema) {
	if p, ok := s.Properties.Get("subPath"); ok {
		p.Pattern = subPathPattern
	}
}
