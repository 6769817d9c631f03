// Package query is the boolean keyword language of listening rules: words,
// "phrases", prefixes (transp*), AND, OR, NOT, parentheses and field scopes
// (title:, source:, author:), matched without regard to case or accents.
// Parse reads one query; Compile turns many into a Set that matches an item
// against all of them at once. The package is pure: no I/O.
package query
