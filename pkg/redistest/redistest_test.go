package redistest_test

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m.Run)) }

func TestHarness(t *testing.T) {
	s := redistest.Require(t)
	ctx := context.Background()
	require.NoError(t, s.Client(t).Set(ctx, "k", "v", 0).Err())
	require.Equal(t, "v", s.Client(t).Get(ctx, "k").Val())

	o := s.Options()
	o.Password = "wrong"
	c := redis.NewClient(o)
	defer c.Close()
	require.ErrorContains(t, c.Ping(ctx).Err(), "WRONGPASS")
}
