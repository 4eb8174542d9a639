package secretensure_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"

	"github.com/flotilla/flotilla/pkg/secretensure"
)

// The REST client's requests and its mapping of the apiserver's answers to StatusErrors, on a
// recorded-shape server; test/e2e runs it against a real kube-apiserver.
func TestRESTClient(t *testing.T) {
	type call struct{ method, path, query, ctype, body string }
	var calls []call
	status := func(w http.ResponseWriter, code int, reason string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"`+reason+`","code":`+itoa(code)+`}`)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		calls = append(calls, call{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(b)})
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/namespaces/apps/secrets/present":
			_, _ = io.WriteString(w, `{"kind":"Secret","apiVersion":"v1","metadata":{"name":"present","resourceVersion":"42","labels":{"a":"b"}},"type":"Opaque","data":{"k":"dmFsdWU="}}`)
		case r.Method == http.MethodGet:
			status(w, 404, "NotFound")
		case r.Method == http.MethodPost:
			status(w, 409, "AlreadyExists")
		case r.Method == http.MethodPatch && r.URL.Path == "/api/v1/namespaces/apps/secrets/denied":
			status(w, 403, "Forbidden")
		case r.Method == http.MethodPatch:
			status(w, 409, "Conflict")
		}
	}))
	defer srv.Close()
	c, err := secretensure.NewRESTClient(&rest.Config{Host: srv.URL, UserAgent: "test"}, "apps")
	require.NoError(t, err)
	ctx := context.Background()

	s, err := c.Get(ctx, "present")
	require.NoError(t, err)
	assert.Equal(t, &secretensure.Secret{Name: "present", ResourceVersion: "42", Labels: map[string]string{"a": "b"}, Data: map[string][]byte{"k": []byte("value")}}, s)
	_, err = c.Get(ctx, "absent")
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
	err = c.Create(ctx, &secretensure.Secret{Name: "new", Labels: map[string]string{"x": "y"}, Data: map[string][]byte{"k": []byte("v")}})
	assert.True(t, apierrors.IsAlreadyExists(err), "%v", err)
	err = c.MergePatch(ctx, "present", []byte(`{"data":{}}`))
	assert.True(t, apierrors.IsConflict(err), "%v", err)
	err = c.MergePatch(ctx, "denied", []byte(`{}`))
	assert.True(t, apierrors.IsForbidden(err), "%v", err)

	require.Len(t, calls, 5)
	var posted map[string]any
	require.NoError(t, json.Unmarshal([]byte(calls[2].body), &posted))
	assert.Equal(t, map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "new", "labels": map[string]any{"x": "y"}}, "data": map[string]any{"k": "dg=="}}, posted)
	assert.Equal(t, call{"POST", "/api/v1/namespaces/apps/secrets", "fieldManager=flotilla-hook", "application/json", calls[2].body}, calls[2])
	assert.Equal(t, call{"PATCH", "/api/v1/namespaces/apps/secrets/present", "fieldManager=flotilla-hook", "application/merge-patch+json", `{"data":{}}`}, calls[3])
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
