package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogBufferFlushes(t *testing.T) {
	var out syncBuffer
	b := newLogBuffer(&out)
	b.Write([]byte("one\n"))
	// Within a few flush periods the line is out, without Close.
	deadline := time.Now().Add(20 * logFlushEvery)
	for out.String() != "one\n" && time.Now().Before(deadline) {
		time.Sleep(logFlushEvery / 4)
	}
	if out.String() != "one\n" {
		t.Fatalf("not flushed: %q", out.String())
	}
	// Close writes the rest.
	b.Write([]byte("two\n"))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\n" {
		t.Errorf("after Close: %q", out.String())
	}
	// A large burst goes out as the buffer fills.
	var big syncBuffer
	b = newLogBuffer(&big)
	defer b.Close()
	line := strings.Repeat("x", 1023) + "\n"
	for range 2 * logBufferSize / len(line) {
		b.Write([]byte(line))
	}
	if len(big.String()) < logBufferSize {
		t.Errorf("only %d bytes out after a burst of %d", len(big.String()), 2*logBufferSize)
	}
}
