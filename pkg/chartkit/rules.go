package chartkit

import (
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"
)

// Rule is a cross-field constraint, written into values.schema.json as an allOf entry
// `{description, if, then}`. The description is the message users see when it fails, so it
// says what is required and why.
type Rule struct {
	// Message, e.g. "storage.type must be s3 when architecture.mode is queue: main and worker
	// pods share blobs".
	Message string
	// If selects the documents the rule applies to; nil applies it to all.
	If Cond
	// Then is what those documents must satisfy.
	Then Cond
}

// Cond is a condition on values addressed by dotted paths.
type Cond interface {
	schema() *jsonschema.Schema
}

type leaf struct {
	path string
	s    *jsonschema.Schema
}

// schema nests the leaf schema under its path; every step is required so a missing value
// never satisfies a condition by accident.
func (l leaf) schema() *jsonschema.Schema {
	parts := strings.Split(l.path, ".")
	s := l.s
	for i := len(parts) - 1; i >= 0; i-- {
		props := jsonschema.NewProperties()
		props.Set(parts[i], s)
		s = &jsonschema.Schema{Properties: props, Required: []string{parts[i]}}
	}
	return s
}

type combo struct {
	kind string
	cs   []Cond
}

func (c combo) schema() *jsonschema.Schema {
	subs := make([]*jsonschema.Schema, len(c.cs))
	for i, x := range c.cs {
		subs[i] = x.schema()
	}
	switch c.kind {
	case "and":
		return &jsonschema.Schema{AllOf: subs}
	case "or":
		return &jsonschema.Schema{AnyOf: subs}
	case "not":
		return &jsonschema.Schema{Not: subs[0]}
	case "ifelse":
		return &jsonschema.Schema{If: subs[0], Then: subs[1], Else: subs[2]}
	}
	panic(fmt.Sprintf("unknown combinator %q", c.kind))
}

// Eq holds when the value at path equals v.
func Eq(path string, v any) Cond { return leaf{path, &jsonschema.Schema{Const: v}} }

// In holds when the value at path is one of vs.
func In(path string, vs ...any) Cond { return leaf{path, &jsonschema.Schema{Enum: vs}} }

// NotEmpty holds when the string at path is not empty.
func NotEmpty(path string) Cond {
	one := uint64(1)
	return leaf{path, &jsonschema.Schema{Type: "string", MinLength: &one}}
}

// HasItems holds when the array at path has at least n items.
func HasItems(path string, n uint64) Cond {
	return leaf{path, &jsonschema.Schema{Type: "array", MinItems: &n}}
}

// AtMost holds when the number at path is at most n.
func AtMost(path string, n int) Cond {
	return leaf{path, &jsonschema.Schema{Maximum: jsonNumber(n)}}
}

// And holds when all cs hold.
func And(cs ...Cond) Cond { return combo{"and", cs} }

// Or holds when any of cs holds.
func Or(cs ...Cond) Cond { return combo{"or", cs} }

// Not holds when c does not.
func Not(c Cond) Cond { return combo{"not", []Cond{c}} }

// IfElse holds when c and then hold, or c does not and els does.
func IfElse(c, then, els Cond) Cond { return combo{"ifelse", []Cond{c, then, els}} }

// Within holds when the value at path is missing, or c, whose paths are relative to that value,
// holds for it. A rule on the fields of one object written within it compiles to far fewer
// schemas than one repeating the object's path in every condition.
func Within(path string, c Cond) Cond { return within{path, c} }

type within struct {
	path string
	c    Cond
}

// schema nests c's schema under path without requiring any step.
func (w within) schema() *jsonschema.Schema {
	parts := strings.Split(w.path, ".")
	s := w.c.schema()
	for i := len(parts) - 1; i >= 0; i-- {
		props := jsonschema.NewProperties()
		props.Set(parts[i], s)
		s = &jsonschema.Schema{Properties: props}
	}
	return s
}

func (r Rule) schema() *jsonschema.Schema {
	s := &jsonschema.Schema{Description: r.Message, Then: r.Then.schema()}
	if r.If != nil {
		s.If = r.If.schema()
	} else {
		// No condition: the rule applies to every document.
		s = r.Then.schema()
		s.Description = r.Message
	}
	return s
}

// IngressRule is the rule every chartvalues.Ingress block needs: an enabled Ingress has a
// host. block is the block's path, e.g. "ingress" or "frontend.ingress".
func IngressRule(block string) Rule {
	return Rule{Message: block + ".hosts needs at least one host when " + block + ".enabled is true",
		If: Eq(block+".enabled", true), Then: HasItems(block+".hosts", 1)}
}

// HTTPRouteRule is the rule every chartvalues.HTTPRoute block needs: an enabled route names a
// Gateway. block is the block's path, e.g. "httpRoute".
func HTTPRouteRule(block string) Rule {
	return Rule{Message: block + ".parentRefs needs at least one Gateway when " + block + ".enabled is true",
		If: Eq(block+".enabled", true), Then: HasItems(block+".parentRefs", 1)}
}

// PostgreSQLRules are the rules every chartvalues.PostgreSQL block needs for its
// cloudnative-pg mode. block is the block's path, e.g. "postgresql" or "flowetl.postgresql".
func PostgreSQLRules(block string) []Rule {
	cnpg := Eq(block+".mode", "cloudnative-pg")
	return []Rule{
		{Message: block + ".standalone.persistence.enabled must be true when " + block + ".mode is cloudnative-pg: every CloudNativePG instance keeps its data on a PersistentVolumeClaim of that size and storageClass",
			If: cnpg, Then: Eq(block+".standalone.persistence.enabled", true)},
		{Message: block + ".auth.existingSecretPasswordKey must be password when " + block + ".mode is cloudnative-pg and " + block + ".auth.existingSecret is set: CloudNativePG reads the owner's credentials from the keys username and password",
			If: And(cnpg, NotEmpty(block+".auth.existingSecret")), Then: Eq(block+".auth.existingSecretPasswordKey", "password")},
		{Message: block + ".auth.existingSecret (keys username and password) or " + block + ".auth.password is required when " + block + ".mode is cloudnative-pg and secrets.generation is hook: the secrets hook generates random values only, and CloudNativePG also reads the owner's name from the Secret",
			If: And(cnpg, Eq("secrets.generation", "hook"), Eq(block+".auth.password", "")), Then: NotEmpty(block + ".auth.existingSecret")},
	}
}
