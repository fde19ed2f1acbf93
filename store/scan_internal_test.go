package store

import (
	"testing"
	"time"
)

// parseSQLiteTime reads what time.Parse reads, for the forms SQLite keeps
// timestamps in, and refuses the rest.
func TestParseSQLiteTime(t *testing.T) {
	for _, s := range []string{
		"2026-11-25 00:31:07.123456+00:00",
		"2026-11-25 00:31:07+00:00",
		"2026-11-25 00:31:07.5-07:30",
		"2026-11-25T00:31:07.999999999+02:00",
		"2024-02-29 23:59:59.000001+00:00",
	} {
		want, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", s)
		if err != nil {
			want, err = time.Parse(time.RFC3339Nano, s)
		}
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		got, ok := parseSQLiteTime(s)
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", s, got, ok, want.UTC())
		}
	}
	for _, s := range []string{"", "2026-11-25", "2026-02-30 00:00:00+00:00", "2026-11-25 00:31:07.+00:00",
		"2026-11-25 00:31:07 +00:00", "2026-13-25 00:31:07+00:00", "2026-11-25 00:31:07.1234567890+00:00"} {
		if got, ok := parseSQLiteTime(s); ok {
			t.Errorf("parseSQLiteTime(%q) = %v, want refused", s, got)
		}
	}
}
