package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Problem is one reason values were refused.
type Problem struct {
	// Path of the offending value, dotted ("storage.type"); empty for the document itself.
	Path string
	// Message is the schema's complaint, e.g. "value must be 's3'".
	Message string
	// Rule is the cross-field rule that failed, with its reason, when the problem comes from one.
	Rule string
}

func (p Problem) String() string {
	where := p.Path
	if where == "" {
		where = "(root)"
	}
	if p.Rule != "" {
		return fmt.Sprintf("%s: %s (%s)", where, p.Rule, p.Message)
	}
	return fmt.Sprintf("%s: %s", where, p.Message)
}

// ValidationError reports values that break a chart's values.schema.json. Helm refuses the
// same values with Helm's message (kept in Helm); Problems explains each failure.
type ValidationError struct {
	Chart    string
	Problems []Problem
	// Helm is Helm's own error text for the same values; empty when only the checks JSON Schema
	// cannot express failed (a resource request above its limit, see checkResources), which
	// Helm leaves to the API server.
	Helm string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "values of chart %s are invalid:", e.Chart)
	for _, p := range e.Problems {
		b.WriteString("\n- " + p.String())
	}
	if len(e.Problems) == 0 {
		b.WriteString("\n" + e.Helm)
	}
	return b.String()
}

// validate checks coalesced values against the chart's schema. Helm compiles the schema on
// every call; this keeps the compiled schema (same library, same schema, so the same verdict)
// and only on failure asks Helm for its own message, so callers see exactly what `helm
// template` says plus an explanation per field.
func validate(ch *chart.Chart, user map[string]any, vals chartutil.Values) error {
	if !hasSchema(ch) {
		return nil
	}
	if len(ch.Dependencies()) == 0 {
		c, err := compile(ch.Schema)
		if err != nil {
			return fmt.Errorf("render %s: %w", ch.Name(), err)
		}
		if c.schema.Validate(vals.AsMap()) == nil {
			return resourcesError(ch, vals)
		}
	}
	helmErr := chartutil.ValidateAgainstSchema(ch, vals)
	if helmErr == nil {
		return resourcesError(ch, vals)
	}
	problems, err := Validate(ch.Schema, vals)
	if err != nil {
		problems = nil
	}
	return &ValidationError{
		Chart:    ch.Name(),
		Problems: problems,
		Helm:     fmt.Sprintf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", helmErr.Error()),
	}
}

// resourcesError reports the resource requests above their limits in values the schema accepts.
func resourcesError(ch *chart.Chart, vals chartutil.Values) error {
	if problems := checkResources(vals); len(problems) > 0 {
		return &ValidationError{Chart: ch.Name(), Problems: problems}
	}
	return nil
}

// ChecksMarker starts the message with which a chart's template-level checks fail
// (flotilla.failOnProblems): cross-field rules JSON Schema cannot express, such as one value
// compared with another. Each following line "- PATH: MESSAGE" is one problem.
const ChecksMarker = "values are invalid (flotilla checks):"

// checkProblems turns a render error from flotilla.failOnProblems into a ValidationError with
// every problem and its field path; nil for any other error.
func checkProblems(chartName string, err error) *ValidationError {
	msg := err.Error()
	i := strings.Index(msg, ChecksMarker)
	if i < 0 {
		return nil
	}
	var ps []Problem
	for _, line := range strings.Split(msg[i+len(ChecksMarker):], "\n") {
		item, ok := strings.CutPrefix(strings.TrimSpace(line), "- ")
		if !ok {
			continue
		}
		if path, m, ok := strings.Cut(item, ": "); ok {
			ps = append(ps, Problem{Path: path, Message: m})
		}
	}
	return &ValidationError{Chart: chartName, Problems: ps, Helm: msg}
}

// hasSchema reports whether Helm would validate values for ch: it has a schema of its own or
// subcharts that may.
func hasSchema(ch *chart.Chart) bool {
	return len(ch.Schema) > 0 || len(ch.Dependencies()) > 0
}

type compiled struct {
	source []byte // the schema it was compiled from
	schema *jsonschema.Schema
	rules  map[string]string // "/allOf/N" → rule message
}

var (
	cache = sync.Map{} // maphash of schema → *compiled
	seed  = maphash.MakeSeed()
)

// Validate checks coalesced values against a values.schema.json and lists every problem,
// naming the field and, for cross-field rules, the rule's reason. It uses the same JSON
// Schema implementation Helm does.
func Validate(schemaJSON []byte, vals map[string]any) ([]Problem, error) {
	c, err := compile(schemaJSON)
	if err != nil {
		return nil, err
	}
	// Helm validates the values after a JSON round trip (numbers as json.Number).
	raw, err := json.Marshal(vals)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	err = c.schema.Validate(doc)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	printer := message.NewPrinter(language.English)
	var out []Problem
	seenRule := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		path := strings.Join(e.InstanceLocation, ".")
		if extra, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
			// Name each unknown key itself: it is usually a typo of a real one.
			for _, name := range extra.Properties {
				out = append(out, Problem{Path: strings.TrimPrefix(path+"."+name, "."), Message: "unknown value: not in the chart's values.yaml (misspelt, or at the wrong level?)"})
			}
			return
		}
		if req, ok := e.ErrorKind.(*kind.Required); ok && ruleKey(e.SchemaURL) == "" {
			// Name each missing value itself. Helm's coalescing deletes a key a user sets to
			// null, so this is almost always a null where the chart needs a value.
			for _, name := range req.Missing {
				out = append(out, Problem{Path: strings.TrimPrefix(path+"."+name, "."), Message: "required: null or missing, but the chart needs a value here (leave it out to keep the default)"})
			}
			return
		}
		p := Problem{Path: path, Message: e.ErrorKind.LocalizedString(printer)}
		if req, ok := e.ErrorKind.(*kind.Required); ok && len(req.Missing) > 0 {
			// A rule on a.b.c fails on a document without a (nulled, or --set a=null): name
			// the missing value, not the object holding it.
			p.Path = strings.TrimPrefix(path+"."+req.Missing[0], ".")
		}
		if key := ruleKey(e.SchemaURL); key != "" {
			p.Rule = c.rules[key]
			if p.Rule != "" && strings.Contains(p.Message, p.Rule) {
				p.Message = "refused" // a rule that prints its own message (chartkit.Compat's refusals)
			}
			if seenRule[key] {
				return
			}
			seenRule[key] = true
		}
		out = append(out, p)
	}
	walk(ve)
	return out, nil
}

// ruleKey extracts "/allOf/N" from a schema location such as
// "file:///values.schema.json#/allOf/3/then/properties/storage".
func ruleKey(schemaURL string) string {
	_, frag, ok := strings.Cut(schemaURL, "#")
	if !ok || !strings.HasPrefix(frag, "/allOf/") {
		return ""
	}
	rest := strings.TrimPrefix(frag, "/allOf/")
	n, _, _ := strings.Cut(rest, "/")
	if _, err := strconv.Atoi(n); err != nil {
		return ""
	}
	return "/allOf/" + n
}

func compile(schemaJSON []byte) (*compiled, error) {
	sum := maphash.Bytes(seed, schemaJSON)
	if c, ok := cache.Load(sum); ok && bytes.Equal(c.(*compiled).source, schemaJSON) {
		return c.(*compiled), nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("file:///values.schema.json", doc); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s, err := comp.Compile("file:///values.schema.json")
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	c := &compiled{source: schemaJSON, schema: s, rules: map[string]string{}}
	var top struct {
		AllOf []struct {
			Description string `json:"description"`
		} `json:"allOf"`
	}
	if err := json.Unmarshal(schemaJSON, &top); err == nil {
		for i, r := range top.AllOf {
			c.rules["/allOf/"+strconv.Itoa(i)] = r.Description
		}
	}
	cache.Store(sum, c)
	return c, nil
}
