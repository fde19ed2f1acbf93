package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Failed sign-ins, counted in the database (migration signin_failures) so
// that every process serving it throttles the same failures. The policy is
// the API's (api/token.go); the store counts, per username and client
// address and per username from every address, in windows that open at a
// failure and count until window has passed.

// SignInFailures are the failures counted in an open window.
type SignInFailures struct {
	Count int
	First time.Time // when the window opened
}

// anyAddr is the address of a username's failures from every address.
const anyAddr = ""

// SignInFailuresOf returns the failures of username from addr, and from
// every address, in windows opened after since (older ones are closed:
// zero). It reads the primary: a failure counted a moment ago by another
// process counts.
func (s *Store) SignInFailuresOf(ctx context.Context, username, addr string, since time.Time) (pair, user SignInFailures, err error) {
	rows, err := s.primary().query(ctx, `SELECT addr, failures, tstext(first_at) FROM signin_failures
		WHERE username = ? AND addr IN (?, ?) AND first_at > ?`, strings.ToLower(username), addr, anyAddr, since.UTC().Truncate(time.Microsecond))
	if err != nil {
		return pair, user, fmt.Errorf("sign-in failures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		var f SignInFailures
		if err := rows.Scan(&a, &f.Count, ts(&f.First)); err != nil {
			return pair, user, fmt.Errorf("sign-in failures: %w", err)
		}
		if a == anyAddr {
			user = f
		} else {
			pair = f
		}
	}
	return pair, user, rows.Err()
}

// RecordSignInFailure counts a failure of username from addr at now, for
// the pair and for the username: in the open window, or in a new one when
// the last opened at or before since. Closed windows of every username go
// in the same transaction, so the table holds open windows only.
func (s *Store) RecordSignInFailure(ctx context.Context, username, addr string, now, since time.Time) error {
	username, now, since = strings.ToLower(username), now.UTC().Truncate(time.Microsecond), since.UTC().Truncate(time.Microsecond)
	err := s.inTx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "DELETE FROM signin_failures WHERE first_at <= ?", since); err != nil {
			return err
		}
		for _, a := range []string{addr, anyAddr} {
			// The window is open: no row was left by the DELETE above
			// but open ones.
			if _, err := c.exec(ctx, `INSERT INTO signin_failures (username, addr, failures, first_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (username, addr) DO UPDATE SET failures = signin_failures.failures + 1`, username, a, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count a sign-in failure: %w", err)
	}
	return nil
}

// ClearSignInFailures forgets the failures of username from addr (not
// those from every address), after it signed in from there.
func (s *Store) ClearSignInFailures(ctx context.Context, username, addr string) error {
	err := s.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM signin_failures WHERE username = ? AND addr = ?", strings.ToLower(username), addr)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
