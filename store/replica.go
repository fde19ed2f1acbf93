package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Replicas: reads that are not part of a write go to a PostgreSQL streaming
// standby whose replay lag is under the bound, and to the primary when none
// is. A read that carries a bookmark (the primary's WAL position after a
// write, WithBookmark) goes only to a replica that has replayed that
// position, else to the primary, so that a client always reads its own
// writes. Lag is watched in the background, never per request.

// LSN is a position in PostgreSQL's write-ahead log.
type LSN uint64

// ParseLSN reads an LSN as PostgreSQL writes it, 16/B374D848.
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || hi == "" || lo == "" || len(hi) > 8 || len(lo) > 8 {
		return 0, fmt.Errorf("not a WAL position: %q", s)
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("not a WAL position: %q", s)
	}
	return LSN(h<<32 | l), nil
}

func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint32(l)) }

type bookmarkKey struct{}

// WithBookmark returns ctx whose reads see at least the writes up to lsn.
func WithBookmark(ctx context.Context, lsn LSN) context.Context {
	return context.WithValue(ctx, bookmarkKey{}, lsn)
}

// Bookmark is the primary's WAL position now: a read that sends it back
// (WithBookmark) sees every write committed before. "" on SQLite, which has
// one copy of the data.
func (s *Store) Bookmark(ctx context.Context) (string, error) {
	if s.group != nil {
		return "", nil
	}
	var pos string
	if err := s.write.db.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&pos); err != nil {
		return "", fmt.Errorf("bookmark: %w", err)
	}
	return pos, nil
}

// Replica states.
const (
	ReplicaOK      = "ok"      // replayed within the bound: serves reads
	ReplicaLagging = "lagging" // further behind than the bound: reads go elsewhere
	ReplicaDown    = "down"    // does not answer, or is not a standby
)

// ReplicaStatus is what the watcher last saw of a replica.
type ReplicaStatus struct {
	URL   string // without its password
	State string
	Lag   time.Duration
}

// replica is one streaming standby.
type replica struct {
	url  string // without its password
	pool *pool

	mu     sync.Mutex
	state  string
	replay LSN
	lag    time.Duration
}

// replicaSet routes reads among the replicas and watches their lag.
type replicaSet struct {
	list   []*replica
	maxLag time.Duration
	next   atomic.Uint64 // round robin among the fresh ones
	stop   chan struct{}
	done   chan struct{}
}

// pick is a replica for a read that must see lsn (0: any within the lag
// bound), or nil for the primary.
func (rs *replicaSet) pick(lsn LSN, hasBookmark bool) *replica {
	n := len(rs.list)
	start := int(rs.next.Add(1))
	for i := range n {
		r := rs.list[(start+i)%n]
		r.mu.Lock()
		ok := r.state == ReplicaOK && r.lag <= rs.maxLag && (!hasBookmark || r.replay >= lsn)
		r.mu.Unlock()
		if ok {
			return r
		}
	}
	return nil
}

// walSample is the primary's WAL position at a time.
type walSample struct {
	at  time.Time
	lsn LSN
}

// watch polls the primary's WAL position and each replica's replayed one
// every interval. A replica's lag is how long ago the primary first wrote
// past what the replica has replayed: 0 when it has replayed all.
func (rs *replicaSet) watch(primary *sql.DB, interval time.Duration) {
	defer close(rs.done)
	var history []walSample // the primary's recent positions, oldest first
	keep := max(10*time.Second, 4*rs.maxLag)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), max(interval, time.Second))
		var pos string
		if err := primary.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&pos); err == nil {
			if l, err := ParseLSN(pos); err == nil {
				now := time.Now()
				history = append(history, walSample{now, l})
				for len(history) > 1 && now.Sub(history[0].at) > keep {
					history = history[1:]
				}
			}
		}
		for _, r := range rs.list {
			var replay sql.NullString
			err := r.pool.db.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn()::text").Scan(&replay)
			state, lsn, lag := ReplicaDown, LSN(0), time.Duration(0)
			if err == nil && replay.Valid {
				lsn, err = ParseLSN(replay.String)
			}
			if err == nil && replay.Valid {
				lag = lagBehind(history, lsn, time.Now())
				state = ReplicaOK
				if lag > rs.maxLag {
					state = ReplicaLagging
				}
			}
			r.mu.Lock()
			r.state, r.replay, r.lag = state, lsn, lag
			r.mu.Unlock()
		}
		cancel()
		select {
		case <-rs.stop:
			return
		case <-tick.C:
		}
	}
}

// lagBehind is how long ago the primary (history, oldest first) first
// stood past replay.
func lagBehind(history []walSample, replay LSN, now time.Time) time.Duration {
	for _, s := range history {
		if s.lsn > replay {
			return now.Sub(s.at)
		}
	}
	return 0
}

// Replicas reports the replicas as the watcher last saw them; nil without
// replicas.
func (s *Store) Replicas() []ReplicaStatus {
	if s.replicas == nil {
		return nil
	}
	out := make([]ReplicaStatus, len(s.replicas.list))
	for i, r := range s.replicas.list {
		r.mu.Lock()
		out[i] = ReplicaStatus{URL: r.url, State: r.state, Lag: r.lag}
		r.mu.Unlock()
	}
	return out
}

// openReplicas opens a pool on each replica URL and starts the watcher.
func openReplicas(ctx context.Context, urls []string, maxLag time.Duration, primary *sql.DB, opts Options) (*replicaSet, error) {
	if maxLag <= 0 {
		maxLag = time.Second
	}
	rs := &replicaSet{maxLag: maxLag, stop: make(chan struct{}), done: make(chan struct{})}
	for _, u := range urls {
		db, err := openPostgresDB(ctx, u, opts)
		if err != nil {
			for _, r := range rs.list {
				r.pool.db.Close()
			}
			return nil, fmt.Errorf("replica %s: %w", Redact(u), err)
		}
		// Down until the watcher has seen it replaying.
		rs.list = append(rs.list, &replica{url: Redact(u), pool: newPool(db, postgresDialect{}, false), state: ReplicaDown})
	}
	interval := min(max(maxLag/4, 50*time.Millisecond), time.Second)
	go rs.watch(primary, interval)
	return rs, nil
}

// close stops the watcher and closes the replicas' pools.
func (rs *replicaSet) close() {
	close(rs.stop)
	<-rs.done
	for _, r := range rs.list {
		r.pool.db.Close()
	}
}
