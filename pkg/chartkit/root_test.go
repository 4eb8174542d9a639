package chartkit

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoot(t *testing.T) {
	got, err := Root("/some/dir")
	require.NoError(t, err)
	assert.Equal(t, "/some/dir", got, "a given directory is used as is")

	got, err = Root("") // the tests run in pkg/chartkit
	require.NoError(t, err)
	want, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
