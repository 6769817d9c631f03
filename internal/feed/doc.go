// Package feed fetches and parses the RSS, Atom and JSON feeds that
// listening watches, politely and defensively (after Miniflux's practice):
// conditional requests whose validators are saved only after a good parse;
// a schedule from <ttl>, Cache-Control, Expires and Retry-After within
// 60 min–24 h; a per-host concurrency limit; 15 MiB and 20 s limits, the
// size counted after decompression; no connections to private addresses;
// errors classified for backoff and parking. It also discovers a page's
// feeds and reads and writes OPML subscription lists.
//
// Parsing is gofeed's (docs/adr/0007-feed-parsing.md); the HTTP is ours.
package feed
