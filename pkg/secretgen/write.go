package secretgen

import (
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
)

// CreatedByLabel marks the Secrets secretgen makes (value CreatedBy), so they can be listed.
const (
	CreatedByLabel = "app.kubernetes.io/created-by"
	CreatedBy      = "flotilla-secrets"
)

// Object is the Secret as a Kubernetes object in namespace ns ("" leaves it unset).
func (s Secret) Object(ns string) *corev1.Secret {
	obj := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: ns, Labels: map[string]string{CreatedByLabel: CreatedBy}},
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{},
	}
	if s.Type != "" {
		obj.Type = corev1.SecretType(s.Type)
	}
	for _, k := range s.Keys {
		obj.StringData[k.Name] = k.Value
	}
	return obj
}

// Write prints the Secrets as a YAML stream, values in stringData, each Secret and key with a
// comment saying what it is for and where its value came from; placeholders say what to put
// there. ns sets metadata.namespace when not empty.
func Write(w io.Writer, secrets []Secret, ns string) error {
	if len(secrets) == 0 {
		_, err := fmt.Fprintln(w, "# Every Secret the release references is created by the chart itself: nothing to create.")
		return err
	}
	for i, s := range secrets {
		if i > 0 {
			if _, err := fmt.Fprintln(w, "---"); err != nil {
				return err
			}
		}
		doc := mapping(
			"apiVersion", scalar("v1"), "kind", scalar("Secret"),
			"metadata", metadata(s.Name, ns),
			"type", scalar(string(s.Object("").Type)),
			"stringData", stringData(s),
		)
		doc.HeadComment = header(s)
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("write Secret %s: %w", s.Name, err)
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return nil
}

func header(s Secret) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Secret %s", s.Name)
	if len(s.NamedBy) > 0 {
		fmt.Fprintf(&b, ", named by %s", strings.Join(s.NamedBy, ", "))
	}
	if len(s.UsedBy) > 0 {
		fmt.Fprintf(&b, "; used by %s", strings.Join(s.UsedBy, ", "))
	}
	b.WriteString(".")
	if p := s.Placeholders(); len(p) > 0 {
		fmt.Fprintf(&b, "\nReplace %s in %s before installing: only you have those values.", cv.Placeholder, strings.Join(p, ", "))
	}
	return b.String()
}

func metadata(name, ns string) *yaml.Node {
	kv := []any{"name", scalar(name)}
	if ns != "" {
		kv = append(kv, "namespace", scalar(ns))
	}
	kv = append(kv, "labels", mapping(CreatedByLabel, scalar(CreatedBy)))
	return mapping(kv...)
}

func stringData(s Secret) *yaml.Node {
	m := mapping()
	for _, k := range s.Keys {
		key := scalar(k.Name)
		key.HeadComment = keyComment(k)
		val := scalar(k.Value)
		if strings.Contains(k.Value, "\n") {
			val.Style = yaml.LiteralStyle
		}
		m.Content = append(m.Content, key, val)
	}
	return m
}

func keyComment(k Key) string {
	var what []string
	if k.Decl != nil {
		src := k.Decl.KeyPath
		if src == "" {
			src = k.Decl.SecretPath
		}
		what = append(what, fmt.Sprintf("%s (%s)", k.Decl.Use, src))
	}
	switch {
	case k.Inline:
		what = append(what, "from "+k.Decl.InlinePath+" in the values")
	default:
		what = append(what, k.Shape.Describe())
	}
	return strings.Join(what, ": ")
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// mapping builds a mapping node from alternating keys (strings) and value nodes.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}
