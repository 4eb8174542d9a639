//go:build runtime

package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standalone-sqlite: one main pod, SQLite and uploads on the PVC. Also the negative control: a
// replacement pod with another encryption key cannot use the stored credential.
func TestStandaloneSQLite(t *testing.T) {
	t.Parallel()
	st := standUp(t, topology{example: "standalone-sqlite.yaml"})
	ctx := ctxFor(t, 20*time.Minute)
	main := st.rel.deployment("flowise")
	m := st.rel.start(ctx, main, "flowise", true)
	f := &flow{t: t, ctx: ctx, st: st}
	f.registerAndLogin(m.url(t))
	f.createCredentialAndChatflow()
	f.predict()
	key := f.upload()
	dataDir := m.pod.VolumeDir("data")
	assert.NotEmpty(t, findFile(t, dataDir, key), "upload must land on the PVC (storage.local.path)")
	assert.FileExists(t, dataDir+"/database.sqlite")

	// A replacement pod (new emptyDirs, same PVC) keeps the session and decrypts the credential.
	m.stop()
	m = st.rel.start(ctx, main, "flowise", true)
	f.client.Base = m.url(t)
	f.checkCredentialDecrypts()
	f.predict()

	// Negative control: another encryption key cannot decrypt what the first one stored.
	m.stop()
	auth := st.rel.objects.Secrets["flowise-auth-secrets"]
	auth["encryption-key"] = []byte("a-different-key")
	m = st.rel.start(ctx, main, "flowise", true)
	f.client.Base = m.url(t)
	require.NoError(t, f.client.json(ctx, "GET", "/api/v1/chatflows/"+f.flowID, nil, nil), "the session and the rest of the data still work")
	_, err := f.client.GetCredential(ctx, f.credID)
	require.Error(t, err, "a credential encrypted with another key must not decrypt")
	t.Logf("negative control, as expected: %v", err)
	before := sharedLLM(t).Calls(f.apiKey)
	_, err = f.client.Predict(ctx, f.flowID, f.chatID, "socks")
	assert.Error(t, err)
	assert.Equal(t, before, sharedLLM(t).Calls(f.apiKey), "the LLM must not be called with a mis-decrypted key")
}
