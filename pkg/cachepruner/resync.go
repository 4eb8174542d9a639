package cachepruner

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// ResyncOptions configure ResyncRedis.
type ResyncOptions struct {
	// Force rebuilds even while FlowMachine is working on some queries (their states are
	// overwritten, as FlowMachine's resync_redis_with_cache does).
	Force        bool
	SkipIfLocked bool
	Logger       *slog.Logger
}

// ResyncResult summarises a resync.
type ResyncResult struct {
	Skipped   bool    `json:"skipped,omitempty"` // another prune held the lock
	Completed int     `json:"completed"`         // states set to completed (rows of cache.cached)
	Removed   int     `json:"removed"`           // state machines deleted (no row in cache.cached)
	InUse     []InUse `json:"in_use,omitempty"`  // refused (or, when forced, overwritten) because in use
	Forced    bool    `json:"forced,omitempty"`
}

// resyncChunk is how many queries one Redis call handles.
const resyncChunk = 1000

// ResyncRedis rebuilds FlowMachine's query states from cache.cached, as FlowMachine's
// resync_redis_with_cache does, without flushing the whole Redis database (other FlowDBs' and
// other applications' keys stay): every row of cache.cached gets a complete state machine in
// state completed, and every state machine of this FlowDB without a row is deleted. It refuses
// (ErrInUse) while any query is queued, executing or resetting, unless o.Force. It holds the
// prune lock, so no prune or invalidate runs meanwhile. Round trips: O(queries/1000).
func ResyncRedis(ctx context.Context, conn *pgx.Conn, q *QueryStates, o ResyncOptions) (ResyncResult, error) {
	res := ResyncResult{Forced: o.Force}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if err := q.Ping(ctx); err != nil {
		return res, err
	}
	if ok, err := acquire(ctx, conn, o.SkipIfLocked, o.Logger); err != nil || !ok {
		res.Skipped = !ok && err == nil
		return res, err
	}
	defer unlock(conn)

	rows, err := conn.Query(ctx, "SELECT rtrim(query_id) FROM cache.cached")
	if err != nil {
		return res, configError(conn, err)
	}
	cached, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return res, fmt.Errorf("read cache.cached: %w", err)
	}
	states, err := q.scan(ctx)
	if err != nil {
		return res, err
	}
	for id, s := range states {
		if StateInUse(s) {
			res.InUse = append(res.InUse, InUse{QueryID: id, State: s})
		}
	}
	if len(res.InUse) > 0 && !o.Force {
		return res, fmt.Errorf("resync refused: %w: %s (pass --force to overwrite their states, as FlowMachine's resync_redis_with_cache would)", ErrInUse, describeInUse(res.InUse))
	}
	want := make(map[string]bool, len(cached))
	for _, id := range cached {
		want[id] = true
	}
	for id := range states {
		if !want[id] {
			cached = append(cached, id) // deleted below: no row
		}
	}
	for lo := 0; lo < len(cached); lo += resyncChunk {
		chunk := cached[lo:min(lo+resyncChunk, len(cached))]
		keys := make([]string, len(chunk))
		args := []any{map[bool]string{true: "1", false: "0"}[o.Force]}
		for i, id := range chunk {
			keys[i] = q.StateKey(id)
			args = append(args, map[bool]string{true: "c", false: "d"}[want[id]])
		}
		out, err := resyncScript.Run(ctx, q.Client, keys, args...).StringSlice()
		if err != nil {
			return res, &RedisError{Op: fmt.Sprintf("resync %d query states", len(keys)), Err: err}
		}
		for i, s := range out {
			switch {
			case strings.HasPrefix(s, "!"): // became busy since the scan; left alone
				res.InUse = append(res.InUse, InUse{QueryID: chunk[i], State: s[1:]})
			case want[chunk[i]]:
				res.Completed++
			default:
				res.Removed++
			}
		}
	}
	o.Logger.Debug("resynced", "completed", res.Completed, "removed", res.Removed)
	return res, nil
}

// scan reads every state of this FlowDB: SCAN over finist:{db_id}:*-state (event hashes end
// in ":QueryEvent.…", so the pattern leaves them out), then MGET, 1,000 keys per call.
func (q *QueryStates) scan(ctx context.Context) (map[string]string, error) {
	prefix, suffix := "finist:"+q.DBID+":", "-state"
	out := map[string]string{}
	var cursor uint64
	for {
		keys, next, err := q.Client.Scan(ctx, cursor, prefix+"*"+suffix, resyncChunk).Result()
		if err != nil {
			return nil, &RedisError{Op: "scan FlowMachine's query states", Err: err}
		}
		if len(keys) > 0 {
			vals, err := q.Client.MGet(ctx, keys...).Result()
			if err != nil {
				return nil, &RedisError{Op: "read FlowMachine's query states", Err: err}
			}
			for i, k := range keys {
				if s, ok := vals[i].(string); ok {
					out[strings.TrimSuffix(strings.TrimPrefix(k, prefix), suffix)] = s
				}
			}
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}

// resyncScript writes a chunk: ARGV[1] "1" forces, ARGV[1+j] is "c" (KEYS[j] becomes a
// complete state machine in state completed: the transition hashes FlowMachine writes when it
// first sees a query, then the state) or "d" (KEYS[j] and its transition hashes are deleted).
// Unless forced, a state that is in use is left alone and returned as "!state". It returns each
// key's previous state.
var resyncScript = redis.NewScript(`
local force = ARGV[1] == '1'
local events = {` + luaEvents() + `}
local out = {}
for j = 1, #KEYS do
  local k = KEYS[j]
  local s = redis.call('GET', k) or ''
  if not force and (s == 'queued' or s == 'executing' or s == 'resetting') then
    out[j] = '!' .. s
  else
    for ev, moves in pairs(events) do
      local h = k .. ':QueryEvent.' .. ev
      if ARGV[j + 1] == 'd' then
        redis.call('DEL', h)
      else
        for from, to in pairs(moves) do redis.call('HSET', h, from, to) end
      end
    end
    if ARGV[j + 1] == 'd' then redis.call('DEL', k) else redis.call('SET', k, 'completed') end
    out[j] = s
  end
end
return out
`)

// luaEvents renders transitions as a Lua table: EVENT = {from = to, …}.
func luaEvents() string {
	byEvent := map[string][]string{}
	var order []string
	for _, t := range transitions {
		if byEvent[t.event] == nil {
			order = append(order, t.event)
		}
		byEvent[t.event] = append(byEvent[t.event], fmt.Sprintf("%s = '%s'", t.from, t.to))
	}
	var parts []string
	for _, ev := range order {
		parts = append(parts, ev+" = {"+strings.Join(byEvent[ev], ", ")+"}")
	}
	return strings.Join(parts, ", ")
}
