package config

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsNeedNoConfiguration(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./parley-data" || c.UsesPostgres() {
		t.Errorf("defaults: addr %q data %q pg %v", c.Addr, c.DataDir, c.UsesPostgres())
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("base url = %q", c.BaseURL)
	}
	if c.SecurityContact != "mailto:security@127.0.0.1" {
		t.Errorf("security contact = %q", c.SecurityContact)
	}
	if c.SessionLifetime != 24*time.Hour || c.MaxBodyBytes != 1<<20 {
		t.Errorf("session %v body %d", c.SessionLifetime, c.MaxBodyBytes)
	}
}

func TestFlagsBeatEnvironment(t *testing.T) {
	c, err := Load("serve", []string{"--addr", "127.0.0.1:9999"},
		env(map[string]string{"PARLEY_ADDR": "127.0.0.1:1111", "PARLEY_BRAND": "govuk"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.Brand != "govuk" {
		t.Errorf("addr %q brand %q", c.Addr, c.Brand)
	}
}

func TestInvalidSettingsAreAllReported(t *testing.T) {
	_, err := Load("serve", []string{"--brand", "purple", "--database-url", "mysql://x", "--workers", "0", "--security-contact", "javascript:alert(1)"}, env(nil), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"brand", "database-url", "workers", "security-contact"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := Load("serve", nil, env(map[string]string{"PARLEY_WORKERS": "many"}), io.Discard); err == nil {
		t.Error("bad env value accepted")
	}
}

func TestRedactedHidesSecrets(t *testing.T) {
	c, err := Load("serve", []string{
		"--database-url", "postgres://user:hunter2@127.0.0.1/parley",
		"--smtp-password", "s3cret", "--oidc-issuer", "https://id.example", "--oidc-client-id", "x",
		"--oidc-client-secret", "topsecret",
	}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out := c.Redacted()
	for _, secret := range []string{"hunter2", "s3cret", "topsecret"} {
		if strings.Contains(out, secret) {
			t.Errorf("redacted output shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "database-url=postgres://user:REDACTED@127.0.0.1/parley") {
		t.Errorf("database url not shown redacted:\n%s", out)
	}
	if !strings.Contains(out, "addr=127.0.0.1:8080") {
		t.Errorf("addr missing:\n%s", out)
	}
}

// TestREADMEDocumentsEverySetting keeps the configuration table honest.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{}
	for _, o := range c.options() {
		row := "| `--" + o.name + "` | `" + EnvName(o.name) + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README has no row starting %s", row)
		}
	}
}

// FuzzLoad feeds arbitrary environment values through parsing and
// validation: errors are fine, panics and invalid accepted configs are not.
func FuzzLoad(f *testing.F) {
	f.Add("127.0.0.1:8080", "neutral", "4", "postgres://u:p@h/db")
	f.Add("", "govuk", "-1", "mysql://x")
	f.Fuzz(func(t *testing.T, addr, brand, workers, dbURL string) {
		c, err := Load("serve", nil, env(map[string]string{"PARLEY_ADDR": addr, "PARLEY_BRAND": brand, "PARLEY_WORKERS": workers, "PARLEY_DATABASE_URL": dbURL}), io.Discard)
		if err != nil {
			return
		}
		if (c.Brand != "govuk" && c.Brand != "neutral") || c.Workers < 1 || c.BaseURL == "" {
			t.Errorf("accepted an invalid config: %+v", c)
		}
		_ = c.Redacted()
	})
}
