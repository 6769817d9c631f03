//go:build !unix

package store

// lockFile is a no-op where flock is missing: run one instance at a time
// against a SQLite file there, as SQLite deployments do anyway.
func lockFile(string) (func(), error) { return func() {}, nil }
