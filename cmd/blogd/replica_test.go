package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/blogd/blogd/internal/pgcluster"
)

// get sends a GET with the token and, when not empty, a bookmark, and
// returns the status and body.
func get(t *testing.T, client *http.Client, url, token, bookmark string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if bookmark != "" {
		req.Header.Set("Blogd-Bookmark", bookmark)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// createCategory creates a category through base and returns its id and
// the answer's bookmark.
func createCategory(t *testing.T, client *http.Client, base, token, name string) (int64, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/categories", strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct {
		ID int64 `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&c) != nil {
		t.Fatalf("create category: %d", resp.StatusCode)
	}
	bm := resp.Header.Get("Blogd-Bookmark")
	if bm == "" {
		t.Fatal("a write answered without Blogd-Bookmark")
	}
	return c.ID, bm
}

// replicaState is the state of the one replica in base's /readyz.
func replicaState(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	status, body := get(t, client, base+"/readyz", "", "")
	var r struct {
		Primary  string `json:"primary"`
		Replicas []struct {
			URL   string `json:"url"`
			State string `json:"state"`
		} `json:"replicas"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil || r.Primary != "ok" || len(r.Replicas) != 1 {
		t.Fatalf("readyz: %d %s", status, body)
	}
	return r.Replicas[0].State
}

func waitState(t *testing.T, client *http.Client, base, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := replicaState(t, client, base)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: replica %s, want %s", base, got, want)
		}
	}
}

// A primary and a streaming standby, three blogd processes: A on the
// primary alone, B with the standby as replica (lag bound 30 s), C the same
// with a 300 ms bound. Every read on B that sends back the bookmark of a
// write on A sees it; reads without a bookmark go to the replica while it is
// fresh enough, and to the primary when it lags or is down, without error.
func TestReplicasReadYourWrites(t *testing.T) {
	c := pgcluster.Start(t, 1, false)
	bin := blogdtest.Build(t)
	createAdmin(t, bin, c.Primary.URL)
	a := blogdtest.Start(t, bin, c.Primary.URL, blogdtest.FreeAddr(t))
	b := blogdtest.Start(t, bin, c.Primary.URL, blogdtest.FreeAddr(t), "--db-replica", c.Standbys[0].URL, "--replica-max-lag", "30s")
	cc := blogdtest.Start(t, bin, c.Primary.URL, blogdtest.FreeAddr(t), "--db-replica", c.Standbys[0].URL, "--replica-max-lag", "300ms")
	client := &http.Client{Timeout: 5 * time.Second}
	token := signIn(t, a.Base, "root", adminPassword)
	waitState(t, client, b.Base, "ok")
	waitState(t, client, cc.Base, "ok")

	for i := range 300 {
		id, bm := createCategory(t, client, a.Base, token, fmt.Sprintf("c%d", i))
		if status, body := get(t, client, fmt.Sprintf("%s/categories/%d", b.Base, id), token, bm); status != http.StatusOK {
			t.Fatalf("write %d: read with its bookmark on B: %d %s", i, status, body)
		}
	}

	// The standby stops replaying: a new category is not there yet.
	c.Standbys[0].Exec("SELECT pg_wal_replay_pause()")
	id, bm := createCategory(t, client, a.Base, token, "after the pause")
	path := fmt.Sprintf("/categories/%d", id)
	if status, _ := get(t, client, b.Base+path, token, ""); status != http.StatusNotFound {
		t.Errorf("B without a bookmark: %d; want 404 from the paused replica (reads go to it while it is within 30 s)", status)
	}
	if status, _ := get(t, client, b.Base+path, token, bm); status != http.StatusOK {
		t.Errorf("B with the bookmark: %d; want 200 from the primary", status)
	}
	waitState(t, client, cc.Base, "lagging")
	if status, _ := get(t, client, cc.Base+path, token, ""); status != http.StatusOK {
		t.Errorf("C without a bookmark, its replica lagging: %d; want 200 from the primary", status)
	}
	if state := replicaState(t, client, b.Base); state != "ok" {
		t.Errorf("B's replica %s; within 30 s it is ok", state)
	}

	// The standby goes down: every read goes to the primary, blogd stays ready.
	c.Standbys[0].Stop()
	waitState(t, client, b.Base, "down")
	if status, _ := get(t, client, b.Base+path, token, ""); status != http.StatusOK {
		t.Errorf("B without a bookmark, its replica down: %d; want 200", status)
	}
	if status, body := get(t, client, b.Base+"/readyz", "", ""); status != http.StatusOK || strings.Contains(body, c.Standbys[0].URL) && !strings.Contains(body, "postgres@127.0.0.1") {
		t.Errorf("readyz with the replica down: %d %s", status, body)
	}
	if status, _ := get(t, client, b.Base+"/categories", token, "zz"); status != http.StatusBadRequest {
		t.Errorf("a bookmark blogd did not give: %d, want 400", status)
	}
}
