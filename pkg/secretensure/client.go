package secretensure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// Secret is the part of a Secret Ensure reads and writes.
type Secret struct {
	Name            string
	ResourceVersion string
	Labels          map[string]string
	Data            map[string][]byte
}

// Client is the part of one namespace's Secrets API that Ensure uses. Errors are
// k8s.io/apimachinery StatusErrors (apierrors.IsNotFound, IsAlreadyExists, IsConflict work).
type Client interface {
	Get(ctx context.Context, name string) (*Secret, error)
	// Create creates an Opaque Secret.
	Create(ctx context.Context, s *Secret) error
	MergePatch(ctx context.Context, name string, patch []byte) error
}

// wireSecret is a Secret as the API writes it (JSON), with only the fields Secret has.
type wireSecret struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Metadata   struct {
		Name            string            `json:"name"`
		ResourceVersion string            `json:"resourceVersion,omitempty"`
		Labels          map[string]string `json:"labels,omitempty"`
	} `json:"metadata"`
	Type string            `json:"type,omitempty"`
	Data map[string][]byte `json:"data,omitempty"`
}

// restClient speaks to the apiserver's Secrets endpoint with plain HTTP and JSON. client-go's
// typed clients (and the k8s.io/api types) would register every API group's types and grow
// flotilla-hook from 13 to 33 MB for three requests; the transport (TLS, tokens, exec plugins)
// is still client-go's.
type restClient struct {
	http   *http.Client
	base   string // https://host/api/v1/namespaces/NS/secrets
	agent  string
	secret schema.GroupResource
}

// NewRESTClient returns a Client for the Secrets of namespace ns, with cfg's server and credentials.
func NewRESTClient(cfg *rest.Config, ns string) (Client, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	host := cfg.Host
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("kubernetes server %q: %w", cfg.Host, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + cfg.APIPath + "/api/v1/namespaces/" + url.PathEscape(ns) + "/secrets"
	return &restClient{http: hc, base: u.String(), agent: cfg.UserAgent, secret: schema.GroupResource{Resource: "secrets"}}, nil
}

func (c *restClient) Get(ctx context.Context, name string) (*Secret, error) {
	var w wireSecret
	if err := c.do(ctx, http.MethodGet, name, "", nil, &w); err != nil {
		return nil, err
	}
	return &Secret{Name: w.Metadata.Name, ResourceVersion: w.Metadata.ResourceVersion, Labels: w.Metadata.Labels, Data: w.Data}, nil
}

func (c *restClient) Create(ctx context.Context, s *Secret) error {
	w := wireSecret{APIVersion: "v1", Kind: "Secret", Type: "Opaque", Data: s.Data}
	w.Metadata.Name, w.Metadata.Labels = s.Name, s.Labels
	body, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "", "application/json", body, nil)
}

func (c *restClient) MergePatch(ctx context.Context, name string, patch []byte) error {
	return c.do(ctx, http.MethodPatch, name, "application/merge-patch+json", patch, nil)
}

func (c *restClient) do(ctx context.Context, method, name, contentType string, body []byte, out any) error {
	u := c.base
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	if method != http.MethodGet {
		u += "?fieldManager=" + FieldManager
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.agent != "" {
		req.Header.Set("User-Agent", c.agent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		return json.Unmarshal(data, out)
	}
	var st metav1.Status
	if json.Unmarshal(data, &st) == nil && st.Kind == "Status" {
		return &apierrors.StatusError{ErrStatus: st}
	}
	return apierrors.NewGenericServerResponse(resp.StatusCode, method, c.secret, name, string(data), 0, false)
}
