// Package querybench measures listening rules (internal/query): 1,000
// realistic rules compiled into a Set against generated news-like items,
// with matching each rule on its own as the baseline. The benchmarks are in
// query_test.go; bench/LISTENING.md says how to run them and what they gave.
package querybench
