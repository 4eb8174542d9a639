//go:build runtime

package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// flowiseClient speaks Flowise 3.1.1's REST API (packages/server/src/routes and
// enterprise/middleware/passport): register, log in with a session, call the API as the UI
// does (x-request-from: internal, the token cookie), predictions and attachments.
type flowiseClient struct {
	Base    string // http://127.0.0.1:PORT
	mu      sync.Mutex
	cookies map[string]string // kept by hand: secure cookies must reach a plain-HTTP test server
	http    *http.Client
}

func newClient(base string) *flowiseClient {
	return &flowiseClient{Base: base, cookies: map[string]string{}, http: &http.Client{Timeout: 90 * time.Second}}
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

func (c *flowiseClient) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("x-request-from", "internal")
	// As the examples' TLS-terminating Ingress would: with SECURE_COOKIES express-session sets
	// its cookie only on HTTPS requests, and Flowise trusts proxies by default.
	req.Header.Set("X-Forwarded-Proto", "https")
	c.mu.Lock()
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	c.mu.Unlock()
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	c.mu.Lock()
	for _, ck := range resp.Cookies() {
		c.cookies[ck.Name] = ck.Value
	}
	c.mu.Unlock()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %w", method, path, &apiError{Status: resp.StatusCode, Body: strings.TrimSpace(string(b))})
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode %q: %w", method, path, b, err)
		}
	}
	return nil
}

func (c *flowiseClient) json(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	return c.do(ctx, method, path, body, "application/json", out)
}

// Register creates the first (owner) account of an open-source instance.
func (c *flowiseClient) Register(ctx context.Context, name, email, password string) error {
	return c.json(ctx, "POST", "/api/v1/account/register",
		map[string]any{"user": map[string]any{"name": name, "email": email, "credential": password}}, nil)
}

// Login starts a session (token, refreshToken and connect.sid cookies).
func (c *flowiseClient) Login(ctx context.Context, email, password string) error {
	return c.json(ctx, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": password}, nil)
}

// CreateCredential stores an OpenAI API key; Flowise encrypts it with FLOWISE_SECRETKEY_OVERWRITE.
func (c *flowiseClient) CreateCredential(ctx context.Context, name, apiKey string) (string, error) {
	var out struct{ ID string }
	err := c.json(ctx, "POST", "/api/v1/credentials", map[string]any{
		"name": name, "credentialName": "openAIApi", "plainDataObj": map[string]any{"openAIApiKey": apiKey}}, &out)
	return out.ID, err
}

// GetCredential reads a credential back; the server decrypts it to answer.
func (c *flowiseClient) GetCredential(ctx context.Context, id string) (map[string]any, error) {
	var out map[string]any
	err := c.json(ctx, "GET", "/api/v1/credentials/"+id, nil, &out)
	return out, err
}

// CreateChatflow saves the smallest chatflow that calls a chat model: ChatOpenAI (at
// baseURL, with the credential) + prompt template -> LLM chain, with file uploads allowed.
// The model does not stream: the prediction API answers in one JSON document.
func (c *flowiseClient) CreateChatflow(ctx context.Context, name, credentialID, baseURL string) (string, error) {
	node := func(id, name, category string, baseClasses []string, inputs, outputs map[string]any) map[string]any {
		return map[string]any{"id": id, "type": "customNode", "position": map[string]any{"x": 0, "y": 0},
			"data": map[string]any{"id": id, "name": name, "label": name, "category": category, "baseClasses": baseClasses,
				"inputs": inputs, "outputs": outputs, "inputAnchors": []any{}, "inputParams": []any{}, "outputAnchors": []any{}}}
	}
	model := node("chatOpenAI_0", "chatOpenAI", "Chat Models", []string{"ChatOpenAI", "BaseChatModel", "BaseLanguageModel", "Runnable"},
		map[string]any{"modelName": "gpt-4o-mini", "temperature": 0.9, "streaming": false, "basepath": baseURL}, map[string]any{})
	model["data"].(map[string]any)["credential"] = credentialID
	prompt := node("promptTemplate_0", "promptTemplate", "Prompts", []string{"PromptTemplate", "BaseStringPromptTemplate", "BasePromptTemplate"},
		map[string]any{"template": "What is a good name for a company that makes {product}?", "promptValues": `{"product":"{{question}}"}`}, map[string]any{})
	chain := node("llmChain_0", "llmChain", "Chains", []string{"LLMChain", "BaseChain", "Runnable"},
		map[string]any{"model": "{{chatOpenAI_0.data.instance}}", "prompt": "{{promptTemplate_0.data.instance}}", "outputParser": "", "chainName": "", "inputModeration": ""},
		map[string]any{"output": "llmChain"})
	edge := func(src, srcHandle, dst, dstHandle string) map[string]any {
		return map[string]any{"id": src + "-" + dst, "source": src, "sourceHandle": srcHandle, "target": dst, "targetHandle": dstHandle, "type": "buttonedge"}
	}
	flow, _ := json.Marshal(map[string]any{
		"nodes": []any{model, prompt, chain},
		"edges": []any{
			edge("chatOpenAI_0", "chatOpenAI_0-output-chatOpenAI-ChatOpenAI|BaseChatModel|BaseLanguageModel|Runnable", "llmChain_0", "llmChain_0-input-model-BaseLanguageModel"),
			edge("promptTemplate_0", "promptTemplate_0-output-promptTemplate-PromptTemplate|BaseStringPromptTemplate|BasePromptTemplate", "llmChain_0", "llmChain_0-input-prompt-BasePromptTemplate"),
		},
		"viewport": map[string]any{"x": 0, "y": 0, "zoom": 1},
	})
	chatbot, _ := json.Marshal(map[string]any{"fullFileUpload": map[string]any{"status": true, "allowedUploadFileTypes": "text/plain"}})
	var out struct{ ID string }
	err := c.json(ctx, "POST", "/api/v1/chatflows", map[string]any{
		"name": name, "flowData": string(flow), "deployed": false, "isPublic": false, "type": "CHATFLOW", "chatbotConfig": string(chatbot)}, &out)
	return out.ID, err
}

// Predict asks the chatflow a question and returns the answer's text.
func (c *flowiseClient) Predict(ctx context.Context, chatflowID, chatID, question string) (string, error) {
	var out struct {
		Text string `json:"text"`
	}
	err := c.json(ctx, "POST", "/api/v1/prediction/"+chatflowID, map[string]any{"question": question, "chatId": chatID, "streaming": false}, &out)
	return out.Text, err
}

// Attach uploads a text file as a chat attachment; Flowise stores it in its blob storage.
func (c *flowiseClient) Attach(ctx context.Context, chatflowID, chatID, name, content string) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, name))
	h.Set("Content-Type", "text/plain")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	_, _ = io.WriteString(pw, content)
	_ = mw.Close()
	return c.do(ctx, "POST", "/api/v1/attachments/"+chatflowID+"/"+chatID, &buf, mw.FormDataContentType(), nil)
}
