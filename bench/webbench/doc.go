// Package webbench holds in-process benchmarks of Parley's public pages:
// the whole handler chain (app.Open + Handler) is called directly, with no
// network, so the figures isolate the server's own work per request. The
// benchmarks are in web_test.go; see bench/README.md for how to run them.
package webbench
