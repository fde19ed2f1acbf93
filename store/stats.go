package store

import (
	"context"
	"sync/atomic"
	"time"
)

// Stats counts the statements that the store runs for one request, and the
// time they take: what the HTTP layer reports in Server-Timing, so that a
// client sees what its request cost.
type Stats struct {
	statements atomic.Int64
	nanos      atomic.Int64
}

type statsKey struct{}

// WithStats returns a context under which the store counts statements into
// the returned Stats.
func WithStats(ctx context.Context) (context.Context, *Stats) {
	s := &Stats{}
	return context.WithValue(ctx, statsKey{}, s), s
}

// Statements is the number of statements run so far.
func (s *Stats) Statements() int64 { return s.statements.Load() }

// Duration is the time those statements took, reading their rows included.
func (s *Stats) Duration() time.Duration { return time.Duration(s.nanos.Load()) }

// statsOf returns the Stats of ctx, or nil.
func statsOf(ctx context.Context) *Stats {
	s, _ := ctx.Value(statsKey{}).(*Stats)
	return s
}

// statement counts one statement that started at start, if ctx has Stats.
func statement(ctx context.Context, start time.Time) {
	if s := statsOf(ctx); s != nil {
		s.statements.Add(1)
		s.nanos.Add(int64(time.Since(start)))
	}
}

// spent adds time that a statement took after it was counted (reading its
// rows), if ctx has Stats.
func spent(ctx context.Context, start time.Time) {
	if s := statsOf(ctx); s != nil {
		s.nanos.Add(int64(time.Since(start)))
	}
}
