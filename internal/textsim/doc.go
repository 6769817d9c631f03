// Package textsim is Parley's pure text analysis: normalisation, word
// shingles, MinHash sketches with LSH banding, campaign (form-letter) and
// near-duplicate clusters, a streaming near-duplicate index, and candidate
// themes for free-text answers.
//
// It does no I/O and keeps no package-level state; every result is
// deterministic for its inputs (and seed, for themes), whatever the number
// of workers.
//
// Text is compared as sets of hashed word shingles (k consecutive
// normalised words, 4 by default, as in Docket Wrench). Similarity is the
// Jaccard index of two such sets. Candidate pairs come from one-permutation
// MinHash with optimal densification, banded for LSH; every candidate is then
// verified exactly on the shingle sets, so the sketch only decides which
// pairs are looked at, never whether they match.
package textsim
