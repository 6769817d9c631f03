package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// command runs one parley command in-process, as the binary would.
func command(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestServeAdminAndAPI is the newcomer's path on each database: serve,
// create an organisation, a staff user and a token with the same settings,
// and use the API with and without the token.
func TestServeAdminAndAPI(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			// Settings come from the environment here, flags in the admin
			// commands below: both paths are exercised.
			env := map[string]string{"PARLEY_LOG_LEVEL": "warn"}
			dbFlags := []string{"--data-dir", t.TempDir()}
			if d == store.Postgres {
				dbFlags = []string{"--database-url", storetest.PostgresURL(t)}
			}
			addr := freeAddr(t)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"serve", "--addr", addr}, dbFlags...), func(k string) string { return env[k] }, io.Discard, io.Discard)
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}()
			base := "http://" + addr
			waitReady(t, base)
			for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("%s: %d", path, resp.StatusCode)
				}
				if path == "/" && !strings.Contains(string(body), `<html lang="en"`) {
					t.Errorf("home page has no lang attribute")
				}
			}

			if _, errOut, err := command(t, env, append([]string{"admin", "create-org", "--slug", "test-council", "--name", "Test Council"}, dbFlags...)...); err != nil {
				t.Fatalf("create-org: %v\n%s", err, errOut)
			}
			if _, errOut, err := command(t, env, append([]string{"admin", "create-user", "--email", "lead@test.example", "--org", "test-council", "--role", "admin"}, dbFlags...)...); err != nil {
				t.Fatalf("create-user: %v\n%s", err, errOut)
			}
			out, errOut, err := command(t, env, append([]string{"admin", "token", "--email", "lead@test.example"}, dbFlags...)...)
			if err != nil {
				t.Fatalf("token: %v\n%s", err, errOut)
			}
			token := strings.TrimSpace(out)
			if strings.ContainsAny(token, " \n") || !strings.HasPrefix(token, "pat_") {
				t.Fatalf("token command printed more than the token: %q", out)
			}

			resp := apiGet(t, base+"/api/v1/organisations", token)
			var list struct {
				Items []struct {
					Slug string `json:"slug"`
				} `json:"items"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
				t.Fatalf("with token: %d %v", resp.StatusCode, err)
			}
			resp.Body.Close()
			if len(list.Items) != 1 || list.Items[0].Slug != "test-council" {
				t.Errorf("organisations: %+v", list.Items)
			}
			resp = apiGet(t, base+"/api/v1/organisations", "")
			resp.Body.Close()
			if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("without token: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			// The public organisation page lists what the admin command made.
			r2, err := http.Get(base + "/organisations/test-council")
			if err != nil || r2.StatusCode != 200 {
				t.Errorf("organisation page: %v %v", r2.StatusCode, err)
			}
			r2.Body.Close()
		})
	}
}

func apiGet(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", base)
}

func TestBadInputGetsClearErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"serve", "--brand", "purple"}, "brand"},
		{[]string{"admin", "create-org", "--slug", "Bad Slug", "--name", "X", "--data-dir", dir}, "slug"},
		{[]string{"admin", "create-user", "--email", "x@example.org", "--org", "nowhere", "--role", "admin", "--data-dir", dir}, "not found"},
		{[]string{"admin", "create-user", "--email", "x@example.org", "--org", "nowhere", "--data-dir", dir}, "go together"},
		{[]string{"admin", "token", "--email", "nobody@example.org", "--data-dir", dir}, "not found"},
		{[]string{"admin", "revoke-token", "--id", "abc", "--data-dir", dir}, "not a number"},
		{[]string{"admin", "teleport"}, "unknown subcommand"},
	} {
		_, _, err := command(t, nil, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tc.args, err, tc.want)
		}
	}
}

func TestConfigCommandRedactsSecrets(t *testing.T) {
	out, _, err := command(t, map[string]string{"PARLEY_SMTP_PASSWORD": "hunter2"}, "config", "--smtp-host", "mail.example")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "smtp-password=REDACTED") {
		t.Errorf("config output:\n%s", out)
	}
}
