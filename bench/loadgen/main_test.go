package main

import (
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/", "http://127.1.2.3/x", "http://[::1]:80/", "http://localhost:9/"} {
		if err := checkLoopback(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://127.0.0.1/", "http://10.0.0.1/", "http://example.org/", "http://0.0.0.0:8080/", "http://localhost.example.org/"} {
		if err := checkLoopback(u); err == nil {
			t.Errorf("%q: accepted, want refused", u)
		}
	}
}

func TestQuantile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for q, want := range map[float64]time.Duration{0.5: 50, 0.9: 90, 0.99: 99, 1: 100, 0: 1} {
		if got := quantile(d, q); got != want {
			t.Errorf("q%.2f = %d, want %d", q, got, want)
		}
	}
}
