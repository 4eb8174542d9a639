package secretgen

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
)

// Outcome is what Apply did with one Secret.
type Outcome struct {
	Secret Secret
	// Created is false when the Secret already existed: it is left as it is.
	Created bool
	// MissingKeys are keys the release references that an existing Secret lacks.
	MissingKeys []string
}

// String is a one-line report of the outcome.
func (o Outcome) String() string {
	s := o.Secret
	switch {
	case o.Created && len(s.Placeholders()) == 1:
		return fmt.Sprintf("created Secret %s; its key %s holds the placeholder %s: set it (kubectl edit secret %s) before the pods can work",
			s.Name, s.Placeholders()[0], cv.Placeholder, s.Name)
	case o.Created && len(s.Placeholders()) > 1:
		return fmt.Sprintf("created Secret %s; its keys %s hold the placeholder %s: set them (kubectl edit secret %s) before the pods can work",
			s.Name, strings.Join(s.Placeholders(), ", "), cv.Placeholder, s.Name)
	case o.Created:
		return fmt.Sprintf("created Secret %s (keys %s)", s.Name, strings.Join(keyNames(s), ", "))
	case len(o.MissingKeys) > 0:
		return fmt.Sprintf("Secret %s exists but lacks keys %s: not changed; add them yourself", s.Name, strings.Join(o.MissingKeys, ", "))
	}
	return fmt.Sprintf("Secret %s exists: not changed", s.Name)
}

func keyNames(s Secret) []string {
	out := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		out[i] = k.Name
	}
	return out
}

// ErrMissingKeys is returned (wrapped) by Apply when an existing Secret lacks referenced keys.
var ErrMissingKeys = errors.New("existing Secrets lack keys the release references")

// Apply creates each Secret that does not exist yet through client (one namespace). A Secret
// that exists is never changed, not even to add keys: its outcome names the keys it lacks, and
// Apply then returns ErrMissingKeys after handling every Secret.
func Apply(ctx context.Context, client corev1client.SecretInterface, secrets []Secret) ([]Outcome, error) {
	var out []Outcome
	var lacking []string
	for _, s := range secrets {
		o := Outcome{Secret: s}
		existing, err := client.Get(ctx, s.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			if _, err := client.Create(ctx, s.Object(""), metav1.CreateOptions{FieldManager: CreatedBy}); err != nil {
				return out, fmt.Errorf("create Secret %s: %w", s.Name, err)
			}
			o.Created = true
		case err != nil:
			return out, fmt.Errorf("get Secret %s: %w", s.Name, err)
		default:
			for _, k := range s.Keys {
				_, inData := existing.Data[k.Name]
				if _, inString := existing.StringData[k.Name]; !inData && !inString {
					o.MissingKeys = append(o.MissingKeys, k.Name)
				}
			}
			if len(o.MissingKeys) > 0 {
				lacking = append(lacking, s.Name)
			}
		}
		out = append(out, o)
	}
	if len(lacking) > 0 {
		return out, fmt.Errorf("%w: %s", ErrMissingKeys, strings.Join(lacking, ", "))
	}
	return out, nil
}
