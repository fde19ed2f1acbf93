package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer batches log lines: one write(2) per flush instead of one per
// access line, which at tens of thousands of requests a second is a good
// part of the server's time. It flushes every logFlushEvery, whenever
// logBufferSize bytes gather, and on Close, so a crash loses at most the
// last logFlushEvery of log lines, never a write to the database.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const (
	logFlushEvery = 100 * time.Millisecond
	logBufferSize = 64 << 10
)

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(logFlushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write buffers p, a whole log record.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the flusher and writes what is left.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return b.flush()
}
