package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/blogd/blogd/internal/testdb"
)

// Two blogd processes on one PostgreSQL database count the same failed
// sign-ins: five wrong passwords, alternating between them, block the
// sixth try on either, the right password included.
func TestThrottleSharedByProcesses(t *testing.T) {
	serverURL := postgresServer(t)
	db := testdb.PostgresSchema(t, serverURL)
	bin := blogdtest.Build(t)
	createAdmin(t, bin, db)
	servers := []*blogdtest.Server{
		blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t)),
		blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t)),
	}
	signInStatus := func(base, password string) int {
		resp, err := http.PostForm(base+"/auth/token", url.Values{"username": {"root"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if status := signInStatus(servers[i%2].Base, "wrong"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	for i, s := range servers {
		if status := signInStatus(s.Base, adminPassword); status != http.StatusTooManyRequests {
			t.Errorf("process %d after five failures over both: %d, want 429", i+1, status)
		}
	}
}

// A token ended on one process (its user's password changed there) is
// refused by another within the caller cache's second.
func TestRevocationSeenByOtherProcesses(t *testing.T) {
	serverURL := postgresServer(t)
	db := testdb.PostgresSchema(t, serverURL)
	bin := blogdtest.Build(t)
	createAdmin(t, bin, db)
	a := blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t))
	b := blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t))
	client := &http.Client{Timeout: 5 * time.Second}
	token := signIn(t, a.Base, "root", adminPassword)
	if status, body := get(t, client, b.Base+"/users/me", token, ""); status != http.StatusOK {
		t.Fatalf("the token on B: %d %s", status, body)
	}
	var me struct {
		ID int64 `json:"id"`
	}
	_, body := get(t, client, a.Base+"/users/me", token, "")
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PATCH", fmt.Sprintf("%s/users/%d", a.Base, me.ID),
		strings.NewReader(`{"password":"a new password","current_password":"`+adminPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("change the password on A: %v %v", resp, err)
	}
	resp.Body.Close()
	changed := time.Now()
	if status, _ := get(t, client, a.Base+"/users/me", token, ""); status != http.StatusUnauthorized {
		t.Errorf("A after the change: %d, want 401 at once", status)
	}
	for {
		status, _ := get(t, client, b.Base+"/users/me", token, "")
		if status == http.StatusUnauthorized {
			t.Logf("B refused the token %v after the change", time.Since(changed).Round(time.Millisecond))
			break
		}
		if time.Since(changed) > 1500*time.Millisecond {
			t.Fatalf("B still takes the token %v after the change (the bound is 1 s)", time.Since(changed))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
