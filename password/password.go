// Package password hashes and checks the passwords of blogd's accounts with
// bcrypt. It sits below the HTTP layer and the command line, which both
// set passwords.
package password

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// The costs of bcrypt: DefaultCost for accounts, MinCost for tests.
const (
	DefaultCost = bcrypt.DefaultCost
	MinCost     = bcrypt.MinCost
)

// Hash returns the bcrypt hash of password at cost. bcrypt reads at most
// 72 bytes, so the password is first reduced to the base64 of its SHA-256:
// every one of its up to 256 characters counts.
func Hash(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Matches reports whether password is the one hash was made from.
func Matches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), prehash(password)) == nil
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}
