package cachepruner

import (
	"context"
	"crypto/md5" //nolint:gosec // FlowMachine's connection id is an MD5; not used for security
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// FlowMachine's query states (flowmachine/core/query_state.py, QueryState).
const (
	StateKnown       = "known"
	StateQueued      = "queued"
	StateExecuting   = "executing"
	StateCompleted   = "completed"
	StateErrored     = "errored"
	StateCancelled   = "cancelled"
	StateResetting   = "resetting"
	StateResetFailed = "reset_failed"
)

// StateInUse reports whether FlowMachine is working on a query in this state: queued or executing
// (its table is being written) or resetting (another remover holds it). Such entries are never
// removed.
func StateInUse(state string) bool {
	return state == StateQueued || state == StateExecuting || state == StateResetting
}

// DBID is FlowMachine's connection id (core/connection.py): the hex MD5 of str(host) +
// str(port) + str(database) of the FlowDB URL FlowMachine connects with. It namespaces every
// Redis key of that FlowDB, so it must be computed from the strings FlowMachine itself uses.
func DBID(host string, port uint16, database string) string {
	sum := md5.Sum([]byte(host + strconv.Itoa(int(port)) + database)) //nolint:gosec // see import
	return hex.EncodeToString(sum[:])
}

// transitions is FlowMachine's state machine (QueryStateMachine.__init__): event → from → to.
// Finist stores each event as a hash named "<state key>:<event>", where <event> is Python's
// str() of FlowMachine's QueryEvent member: "QueryEvent.RESET", not "reset".
var transitions = []struct{ event, from, to string }{
	{"QUEUE", StateKnown, StateQueued},
	{"EXECUTE", StateQueued, StateExecuting},
	{"ERROR", StateExecuting, StateErrored},
	{"FINISH", StateExecuting, StateCompleted},
	{"CANCEL", StateQueued, StateCancelled},
	{"CANCEL", StateExecuting, StateCancelled},
	{"RESET", StateCancelled, StateResetting},
	{"RESET", StateErrored, StateResetting},
	{"RESET", StateCompleted, StateResetting},
	{"FINISH_RESET", StateResetting, StateKnown},
	{"ERROR", StateResetting, StateResetFailed},
	{"RESET", StateResetFailed, StateResetting},
}

// QueryStates is FlowMachine's Redis store of query states for one FlowDB.
type QueryStates struct {
	Client redis.Cmdable
	DBID   string // see DBID
}

// StateKey is the key holding a query's state: finist:{db_id}:{query_id}-state.
func (q *QueryStates) StateKey(queryID string) string {
	return "finist:" + q.DBID + ":" + queryID + "-state"
}

// Ping checks that Redis answers, so that nothing is removed when it does not.
func (q *QueryStates) Ping(ctx context.Context) error {
	if err := q.Client.Ping(ctx).Err(); err != nil {
		return &RedisError{Op: "connect to FlowMachine's Redis", Err: err}
	}
	return nil
}

// RedisError is a failure talking to FlowMachine's Redis.
type RedisError struct {
	Op  string
	Err error
}

func (e *RedisError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *RedisError) Unwrap() error { return e.Err }

// Rejected reports whether Redis refused the credentials (retrying will not help).
func (e *RedisError) Rejected() bool {
	msg := e.Err.Error()
	return strings.Contains(msg, "WRONGPASS") || strings.Contains(msg, "NOAUTH") || strings.Contains(msg, "NOPERM")
}

// releaseScript is the Redis side of removing a batch, atomic per call: KEYS are the batch's
// state keys, ARGV[1] is "set" or "check" (dry run), ARGV[2..] the sizes of its groups (an
// entry with its cascade dependents). A group any of whose queries is in use (queued,
// executing, resetting) is left alone entirely; otherwise each existing state becomes known,
// the state FlowMachine's own removal ends in (reset, then finish_resetting). A missing state
// stays missing: FlowMachine creates it as known, with its transitions, when it next sees the
// query. It returns each key's previous state ("" when missing), prefixed with "!" when its
// group was left alone.
var releaseScript = redis.NewScript(`
local out = {}
local i = 1
for g = 2, #ARGV do
  local n = tonumber(ARGV[g])
  local busy = false
  for j = i, i + n - 1 do
    local s = redis.call('GET', KEYS[j]) or ''
    out[j] = s
    if s == 'queued' or s == 'executing' or s == 'resetting' then busy = true end
  end
  for j = i, i + n - 1 do
    if busy then
      out[j] = '!' .. out[j]
    elseif ARGV[1] == 'set' and out[j] ~= '' and out[j] ~= 'known' then
      redis.call('SET', KEYS[j], 'known')
    end
  end
  i = i + n
end
return out
`)

// release sets the states of a batch's queries to known (check only: dryRun), group by group,
// and returns for each query its previous state and whether its group was left alone because
// FlowMachine is using it. One round trip.
func (q *QueryStates) release(ctx context.Context, groups [][]Removed, dryRun bool) (prev []string, busy []bool, err error) {
	var keys []string
	args := []any{"set"}
	if dryRun {
		args[0] = "check"
	}
	for _, g := range groups {
		for _, r := range g {
			keys = append(keys, q.StateKey(r.QueryID))
		}
		args = append(args, len(g))
	}
	res, err := releaseScript.Run(ctx, q.Client, keys, args...).StringSlice()
	if err != nil {
		return nil, nil, &RedisError{Op: fmt.Sprintf("update %d query states in FlowMachine's Redis", len(keys)), Err: err}
	}
	if len(res) != len(keys) {
		return nil, nil, &RedisError{Op: "update query states", Err: fmt.Errorf("got %d answers for %d keys", len(res), len(keys))}
	}
	busy = make([]bool, len(res))
	for i, s := range res {
		busy[i] = strings.HasPrefix(s, "!")
		res[i] = strings.TrimPrefix(s, "!")
	}
	return res, busy, nil
}

// ErrInUse: a resync was refused because FlowMachine is working on some queries.
var ErrInUse = errors.New("FlowMachine is working on some queries")
