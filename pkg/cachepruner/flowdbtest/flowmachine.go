package flowdbtest

import (
	"context"
	"crypto/md5" //nolint:gosec // FlowMachine's connection id
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// FlowMachine writes and moves query states in Redis as FlowMachine does: its
// QueryStateMachine (flowmachine/core/query_state.py) on top of the Python finist library, the
// oracle the pruner's Redis side is tested against.
type FlowMachine struct {
	Redis *redis.Client
	DBID  string
}

// NewFlowMachine derives the connection id as FlowMachine's Connection does:
// md5(str(host) + str(port) + str(database)).
func NewFlowMachine(rdb *redis.Client, host string, port int, database string) FlowMachine {
	sum := md5.Sum([]byte(host + strconv.Itoa(port) + database)) //nolint:gosec // see import
	return FlowMachine{Redis: rdb, DBID: hex.EncodeToString(sum[:])}
}

// finistScript is finist's transition script, verbatim in behaviour.
var finistScript = redis.NewScript(`local curr = redis.call("GET", KEYS[1])
local next = redis.call("HGET", KEYS[2], curr)
if next then
  redis.call("SET", KEYS[1], next)
  return { next, true }
else
  return { curr, false }
end`)

// name is the finist machine name: "finist:" + f"{db_id}:{query_id}-state".
func (f FlowMachine) name(queryID string) string {
	return "finist:" + f.DBID + ":" + queryID + "-state"
}

// event is finist's "%s:%s" % (name, ev) with ev a QueryEvent(str, Enum): Python's str() of it.
func (f FlowMachine) event(queryID, ev string) string { return f.name(queryID) + ":QueryEvent." + ev }

// Machine is QueryStateMachine(redis, query_id, db_id): SETNX the state to known and, when the
// state did not exist, register the transitions (finist's HSET per on()).
func (f FlowMachine) Machine(ctx context.Context, queryID string) error {
	n, err := f.Redis.Exists(ctx, f.name(queryID)).Result()
	if err != nil {
		return err
	}
	if err := f.Redis.SetNX(ctx, f.name(queryID), "known", 0).Err(); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	on := func(ev, from, to string) error { return f.Redis.HSet(ctx, f.event(queryID, ev), from, to).Err() }
	for _, t := range [][3]string{
		{"QUEUE", "known", "queued"}, {"EXECUTE", "queued", "executing"}, {"ERROR", "executing", "errored"},
		{"FINISH", "executing", "completed"}, {"CANCEL", "queued", "cancelled"}, {"CANCEL", "executing", "cancelled"},
		{"RESET", "cancelled", "resetting"}, {"RESET", "errored", "resetting"}, {"RESET", "completed", "resetting"},
		{"RESET", "completed", "resetting"}, {"FINISH_RESET", "resetting", "known"}, {"ERROR", "resetting", "reset_failed"},
		{"RESET", "reset_failed", "resetting"},
	} {
		if err := on(t[0], t[1], t[2]); err != nil {
			return err
		}
	}
	return nil
}

// Trigger is QueryStateMachine.trigger_event: the new state and whether this call moved it.
func (f FlowMachine) Trigger(ctx context.Context, queryID, ev string) (string, bool, error) {
	if err := f.Machine(ctx, queryID); err != nil {
		return "", false, err
	}
	res, err := finistScript.Run(ctx, f.Redis, []string{f.name(queryID), f.event(queryID, ev)}).Slice()
	if err != nil {
		return "", false, err
	}
	state, _ := res[0].(string)
	return state, len(res) > 1 && res[1] != nil, nil
}

// Drive moves a query through events, failing when one of them does not apply.
func (f FlowMachine) Drive(ctx context.Context, queryID string, events ...string) error {
	for _, ev := range events {
		state, ok, err := f.Trigger(ctx, queryID, ev)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: event %s does not apply in state %s", queryID, ev, state)
		}
	}
	return nil
}

// State is the query's current state ("" when Redis has none).
func (f FlowMachine) State(ctx context.Context, queryID string) (string, error) {
	s, err := f.Redis.Get(ctx, f.name(queryID)).Result()
	if err == redis.Nil {
		return "", nil
	}
	return s, err
}

// Paths to each state, as FlowMachine's server drives queries there.
var Paths = map[string][]string{
	"known":        nil,
	"queued":       {"QUEUE"},
	"executing":    {"QUEUE", "EXECUTE"},
	"completed":    {"QUEUE", "EXECUTE", "FINISH"},
	"errored":      {"QUEUE", "EXECUTE", "ERROR"},
	"cancelled":    {"QUEUE", "CANCEL"},
	"resetting":    {"QUEUE", "EXECUTE", "FINISH", "RESET"},
	"reset_failed": {"QUEUE", "EXECUTE", "FINISH", "RESET", "ERROR"},
}
