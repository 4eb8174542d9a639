package cachepruner_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
)

func TestInvalidateRefusals(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "t", rows: 10, class: "Table"})
	_, err := cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "nope", cachepruner.PruneOptions{})
	require.ErrorIs(t, err, cachepruner.ErrNotFound)
	_, err = cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "t", cachepruner.PruneOptions{})
	require.ErrorContains(t, err, "base data table")
	assert.Equal(t, []string{"t"}, c.ids())
}
