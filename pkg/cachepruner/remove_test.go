package cachepruner_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/redistest"
)

// TestTableAlreadyGone: FlowKit issue 6099; the pruner cleans such rows up instead of crashing.
func TestTableAlreadyGone(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "a", rows: 100, touches: 4})
	c.add(entry{id: "gone", rows: 100, touches: 9})
	c.add(entry{id: "never", noTable: true})
	c.exec("DROP TABLE cache.xgone")
	c.setConfig("cache_size", "999999999")

	st, err := cachepruner.ReadStatus(context.Background(), c.prunerConn(c.s.User), 10)
	require.NoError(t, err)
	assert.Equal(t, 2, st.MissingTables)
	assert.Equal(t, c.size("a"), st.Size)

	res, err := cachepruner.Prune(context.Background(), c.prunerConn(c.s.User), cachepruner.PruneOptions{MaxSize: -1})
	require.NoError(t, err)
	got := removedIDs(res)
	sort.Strings(got)
	assert.Equal(t, []string{"gone", "never"}, got)
	assert.Equal(t, []string{"a"}, c.ids())
	c.checkConsistent()

	// The table vanishing between selection and removal is fine too (DROP … IF EXISTS).
	c.add(entry{id: "b", rows: 100})
	c.exec("DROP TABLE cache.xb")
	_, err = cachepruner.Invalidate(context.Background(), c.prunerConn(c.s.User), "b", cachepruner.PruneOptions{})
	require.NoError(t, err)
	c.checkConsistent()
}

func TestPrivileges(t *testing.T) {
	tests := []struct {
		name   string
		grants string
		want   string
	}{
		{name: "read-only role (flowapi)", grants: "GRANT USAGE ON SCHEMA cache TO %s; GRANT SELECT ON ALL TABLES IN SCHEMA cache TO %s", want: "permission denied for table cached"},
		{name: "may delete rows but owns no table", grants: "GRANT USAGE ON SCHEMA cache TO %s; GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA cache TO %s", want: "must be owner of table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			c.add(entry{id: "a", rows: 100})
			c.add(entry{id: "b", rows: 100, touches: 2})
			c.setConfig("cache_size", "0")
			role := c.s.CreateRole(t, c.db, "")
			c.exec(sprintf2(tc.grants, role))
			res, err := cachepruner.Prune(context.Background(), c.prunerConn(role), cachepruner.PruneOptions{MaxSize: -1})
			require.Error(t, err)
			var pe *cachepruner.PrivilegeError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "GRANT "+`"`+c.s.User+`"`+" TO "+`"`+role+`"`)
			assert.Empty(t, res.Removed)
			// Nothing half-done: the DELETE rolled back with the failed DROP.
			assert.Equal(t, []string{"a", "b"}, c.ids())
			c.checkConsistent()
		})
	}
}

// TestRemoveWithoutTempPrivilege: without TEMP on the database the session helper cannot be
// created; removal falls back to the pipelined DELETE + DROP and stays all-or-nothing.
func TestRemoveWithoutTempPrivilege(t *testing.T) {
	c := newCache(t)
	c.add(entry{id: "a", rows: 100})
	c.add(entry{id: "b", rows: 100, touches: 2})
	c.setConfig("cache_size", "0")
	role := c.s.CreateRole(t, c.db, "")
	c.exec("REVOKE TEMPORARY ON DATABASE " + c.db + " FROM PUBLIC")
	c.exec(sprintf2(`GRANT USAGE ON SCHEMA cache TO %s;
		DO $$DECLARE r record; BEGIN
			FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'cache' LOOP
				EXECUTE format('ALTER TABLE cache.%I OWNER TO %s', r.tablename);
			END LOOP; END$$`, role))

	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	res, err := cachepruner.Prune(context.Background(), c.prunerConn(role), cachepruner.PruneOptions{MaxSize: -1, Logger: log})
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "no TEMP privilege")
	assert.Equal(t, []string{"a", "b"}, removedIDs(res))
	assert.Empty(t, c.ids())
	c.checkConsistent()
}

// TestKillMidPrune kills the pruner process while a removal batch is inside its transaction:
// that batch must leave all its rows and tables, earlier batches none; and in FlowMachine's
// Redis no query may be left completed without its table (the batch's states were set to
// known before its SQL ran: known with a table is what FlowMachine tolerates).
func TestKillMidPrune(t *testing.T) {
	c := newCache(t)
	ids := seed(c, 10)
	fm, states := c.flowmachine()
	all := map[string]string{}
	for _, id := range ids {
		all[id] = cachepruner.StateCompleted
	}
	setStates(t, fm, all)
	// Entries are removed oldest first (lowest score): e00..e02, e03..e05, ... Block batch two.
	release := blockOn(t, c, "e04")
	defer release()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	r := redistest.Require(t)
	cmd.Env = append(os.Environ(), childEnv+"="+c.s.URLFor(c.db, c.s.User, ""),
		childRedisEnv+"="+r.Addr()+" "+r.Password+" "+states.DBID)
	require.NoError(t, cmd.Start())
	pid := waitForLockWait(t, c, "prune-child")

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	// The pod is gone; PostgreSQL notices the dead client and ends its session.
	_, err := c.conn.Exec(context.Background(), "SELECT pg_terminate_backend($1)", pid)
	require.NoError(t, err)
	release()

	assert.Equal(t, ids[3:], c.ids(), "batch one committed, batch two (blocked) rolled back entirely")
	c.checkConsistent()
	got := statesOf(t, fm, ids...)
	for i, id := range ids {
		switch {
		case i < 6: // removed (batch one) or rolled back after its Redis step (batch two)
			assert.Equal(t, cachepruner.StateKnown, got[id], id)
		default:
			assert.Equal(t, cachepruner.StateCompleted, got[id], id)
		}
	}
	left := map[string]bool{}
	for _, id := range c.ids() {
		left[id] = true
	}
	for id, st := range got {
		assert.False(t, st == cachepruner.StateCompleted && !left[id], "%s is completed in Redis without its table", id)
	}
}
