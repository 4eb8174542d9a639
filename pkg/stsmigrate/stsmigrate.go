// Package stsmigrate recreates a StatefulSet whose governing Service changed. spec.serviceName
// is immutable, so a chart upgrade that changes it fails; deleting the StatefulSet with
// propagationPolicy Orphan leaves its pods and PersistentVolumeClaims in place, and the
// StatefulSet Helm then creates (same name, same selector) adopts them.
//
// It speaks to the Kubernetes API over plain HTTPS with the pod's ServiceAccount token, the
// two calls it needs (get, delete), so flotilla-hook stays small: no client-go.
package stsmigrate

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ServiceAccountDir is where Kubernetes mounts a pod's ServiceAccount token, CA and namespace.
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// Client calls the Kubernetes API of one namespace.
type Client struct {
	Base      string // https://host:port
	Namespace string
	Token     string
	HTTP      *http.Client
}

// InCluster builds a Client from KUBERNETES_SERVICE_HOST/PORT and the token, ca.crt and
// namespace files of dir (ServiceAccountDir in a pod).
func InCluster(dir string) (*Client, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, errors.New("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: not running in a pod")
	}
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("service account %s: %w (is automountServiceAccountToken on?)", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	token, err := read("token")
	if err != nil {
		return nil, err
	}
	ns, err := read("namespace")
	if err != nil {
		return nil, err
	}
	ca, err := read("ca.crt")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(ca)) {
		return nil, fmt.Errorf("service account ca.crt: no PEM certificate in %s", filepath.Join(dir, "ca.crt"))
	}
	return &Client{
		Base:      "https://" + net.JoinHostPort(host, port),
		Namespace: ns,
		Token:     token,
		HTTP:      &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}},
	}, nil
}

// StatusError is an API answer other than success.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("kubernetes API: %d %s", e.Code, e.Message) }

// Forbidden reports a 401/403: the ServiceAccount lacks the permission.
func (e *StatusError) Forbidden() bool {
	return e.Code == http.StatusForbidden || e.Code == http.StatusUnauthorized
}

type statefulSet struct {
	Metadata struct {
		UID               string  `json:"uid"`
		DeletionTimestamp *string `json:"deletionTimestamp"`
	} `json:"metadata"`
	Spec struct {
		ServiceName string `json:"serviceName"`
	} `json:"spec"`
}

func (c *Client) do(ctx context.Context, method, name string, body any, out any) error {
	u := c.Base + "/apis/apps/v1/namespaces/" + url.PathEscape(c.Namespace) + "/statefulsets/" + url.PathEscape(name)
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s statefulset %s: %w", method, name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s statefulset %s: %w", method, name, err)
	}
	if resp.StatusCode/100 != 2 {
		var st struct{ Message string }
		_ = json.Unmarshal(data, &st)
		if st.Message == "" {
			st.Message = strings.TrimSpace(string(data))
		}
		return fmt.Errorf("%s statefulset %s: %w", method, name, &StatusError{Code: resp.StatusCode, Message: st.Message})
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func (c *Client) get(ctx context.Context, name string) (*statefulSet, error) {
	var s statefulSet
	err := c.do(ctx, http.MethodGet, name, nil, &s)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return nil, nil
	}
	return &s, err
}

// Result says what Recreate did with one StatefulSet.
type Result struct {
	Name string `json:"name"`
	// Action: absent (nothing to do), current (serviceName already right) or orphaned (deleted,
	// pods and claims kept).
	Action string `json:"action"`
	// From is the serviceName the deleted StatefulSet had.
	From string `json:"from,omitempty"`
}

// Recreate deletes StatefulSet name with propagationPolicy Orphan when its serviceName is not
// serviceName, and waits until it is gone (the garbage collector first releases its pods), so
// that the upgrade creating the new one finds the name free. Idempotent.
func (c *Client) Recreate(ctx context.Context, log *slog.Logger, name, serviceName string) (Result, error) {
	res := Result{Name: name}
	s, err := c.get(ctx, name)
	if err != nil {
		return res, err
	}
	switch {
	case s == nil:
		res.Action = "absent"
		return res, nil
	case s.Spec.ServiceName == serviceName && s.Metadata.DeletionTimestamp == nil:
		res.Action = "current"
		return res, nil
	}
	res.Action, res.From = "orphaned", s.Spec.ServiceName
	if s.Metadata.DeletionTimestamp == nil {
		log.Info("deleting the StatefulSet, keeping its pods and claims", "statefulset", name, "serviceName", s.Spec.ServiceName, "want", serviceName)
		del := map[string]any{"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan",
			"preconditions": map[string]string{"uid": s.Metadata.UID}}
		if err := c.do(ctx, http.MethodDelete, name, del, nil); err != nil {
			var se *StatusError
			if !errors.As(err, &se) || se.Code != http.StatusNotFound {
				return res, err
			}
		}
	}
	for {
		cur, err := c.get(ctx, name)
		if err != nil {
			return res, err
		}
		if cur == nil || cur.Metadata.UID != s.Metadata.UID {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("statefulset %s still exists (the garbage collector has not released its pods): %w", name, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}
