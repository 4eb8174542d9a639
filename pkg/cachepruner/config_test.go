package cachepruner_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestNoCacheSchema(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	c := &cacheDB{t: t, s: s, db: db}
	_, err := cachepruner.Prune(context.Background(), c.prunerConn(s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.ErrorContains(t, err, "has no FlowDB cache")
}
