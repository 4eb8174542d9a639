package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestHarness(t *testing.T) {
	s := pgtest.Require(t)
	db := s.NewDatabase(t)
	ctx := context.Background()

	tests := []struct {
		name     string
		password string // role password; "" = trusted role
		connect  string // password used to connect
		wantErr  bool
	}{
		{name: "trusted role", password: "", connect: ""},
		{name: "password role, right password", password: "s3cret", connect: "s3cret"},
		{name: "password role, wrong password", password: "s3cret", connect: "nope", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			role := s.CreateRole(t, db, tc.password)
			conn, err := pgx.Connect(ctx, s.URLFor(db, role, tc.connect))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			defer conn.Close(ctx)
			var got string
			require.NoError(t, conn.QueryRow(ctx, "SELECT current_database()").Scan(&got))
			require.Equal(t, db, got)
		})
	}
}
