package charttest

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
)

// The operator CRDs the charts render objects for, pinned from the operators' releases (each
// file's header names the release and commit). Only the CRDs: tests need no operator running.
//
//go:embed testdata/crds/*.yaml
var crdFiles embed.FS

// CRDFiles returns the pinned CRD manifests by file name (for installing them into a test cluster).
func CRDFiles() (map[string][]byte, error) {
	entries, err := crdFiles.ReadDir("testdata/crds")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := crdFiles.ReadFile(path.Join("testdata/crds", e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// crdVersion validates objects of one served version of a CRD as kube-apiserver does on create:
// unknown fields (strict field validation, which pruning finds), the OpenAPI schema and the
// x-kubernetes-validations CEL rules.
type crdVersion struct {
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
	cel        *cel.Validator
}

var (
	crdOnce    sync.Once
	crdByGVK   map[schema.GroupVersionKind]*crdVersion
	crdLoadErr error
)

func loadCRDs() (map[schema.GroupVersionKind]*crdVersion, error) {
	crdOnce.Do(func() {
		crdByGVK = map[schema.GroupVersionKind]*crdVersion{}
		files, err := CRDFiles()
		if err != nil {
			crdLoadErr = err
			return
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := addCRDs(files[n]); err != nil {
				crdLoadErr = fmt.Errorf("pinned CRD %s: %w", n, err)
				return
			}
		}
	})
	return crdByGVK, crdLoadErr
}

func addCRDs(data []byte) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(doc, &crd); err != nil {
			return err
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			var internal apiextensions.JSONSchemaProps
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
				return fmt.Errorf("%s %s: convert schema: %w", crd.Name, v.Name, err)
			}
			s, err := structuralschema.NewStructural(&internal)
			if err != nil {
				return fmt.Errorf("%s %s: structural schema: %w", crd.Name, v.Name, err)
			}
			val, _, err := validation.NewSchemaValidator(&internal)
			if err != nil {
				return fmt.Errorf("%s %s: validator: %w", crd.Name, v.Name, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			crdByGVK[gvk] = &crdVersion{structural: s, validator: val, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}
		}
	}
}

// HasCRD reports whether a pinned CRD defines apiVersion/kind.
func HasCRD(apiVersion, kind string) bool {
	crds, err := loadCRDs()
	if err != nil {
		return false
	}
	_, ok := crds[schema.FromAPIVersionAndKind(apiVersion, kind)]
	return ok
}

// ValidateCRDObject checks a manifest of a custom resource against its pinned CRD as
// kube-apiserver would on create with strict field validation, and returns it decoded.
func ValidateCRDObject(m render.Manifest) (*unstructured.Unstructured, error) {
	crds, err := loadCRDs()
	if err != nil {
		return nil, err
	}
	gvk := schema.FromAPIVersionAndKind(m.APIVersion, m.Kind)
	v, ok := crds[gvk]
	if !ok {
		return nil, fmt.Errorf("%s %s: no pinned CRD for %s", m.Kind, m.Name, gvk)
	}
	decoded, err := m.Object()
	if err != nil {
		return nil, err
	}
	// Through JSON, as the API server receives it: numbers become int64/float64.
	raw, err := json.Marshal(decoded)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	var problems []string
	if m.Name == "" || len(m.Name) > 253 {
		problems = append(problems, fmt.Sprintf("metadata.name %q: must be 1-253 characters", m.Name))
	}
	// Pruning drops what the schema does not know; kube-apiserver's strict field validation
	// refuses those fields instead.
	pruned := runtimeDeepCopy(obj)
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	for _, p := range structuralpruning.PruneWithOptions(pruned, v.structural, true, opts) {
		problems = append(problems, fmt.Sprintf("unknown field %q", p))
	}
	errs := validation.ValidateCustomResource(nil, obj, v.validator)
	if v.cel != nil {
		celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	problems = append(problems, fieldErrors(errs)...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s %s (%s) does not validate against the %s CRD: %s", m.Kind, m.Name, m.Source, gvk.GroupKind(), strings.Join(problems, "; "))
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

func fieldErrors(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// runtimeDeepCopy copies a JSON object so pruning leaves the validated one whole.
func runtimeDeepCopy(o map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: o}).DeepCopy().Object
}
