package account

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// chained is what an audit entry's hash covers, in a fixed order: the JSON
// encoding of this struct, then the previous hash. The ID is left out so a
// chain can be checked from an export alone; a removed entry still breaks
// the chain because the next entry names its hash.
type chained struct {
	Prev    string `json:"prev"`
	At      string `json:"at"` // RFC 3339, UTC, microseconds
	ActorID int64  `json:"actor"`
	OrgID   int64  `json:"org"`
	Action  string `json:"action"`
	Target  string `json:"target"`
	Detail  string `json:"detail"`
	Before  string `json:"before"`
	After   string `json:"after"`
}

// ChainHash returns the hash of the entry when it follows prev: hex
// SHA-256 of the canonical JSON described in docs/audit.md.
func (e AuditEntry) ChainHash(prev string) string {
	b, _ := json.Marshal(chained{Prev: prev, At: e.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		ActorID: e.ActorID, OrgID: e.OrgID, Action: e.Action, Target: e.Target, Detail: e.Detail, Before: e.Before, After: e.After})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ChainCheck is the result of checking an organisation's audit chain.
type ChainCheck struct {
	Entries  int    // how many were checked
	Head     string // the last entry's hash: publish it to pin the log
	BrokenAt int64  // the first entry whose hash does not follow; 0: intact
}

// Intact says every entry followed the one before.
func (c ChainCheck) Intact() bool { return c.BrokenAt == 0 }

// CheckChain checks entries of one chain, oldest first, as the
// continuation of a chain whose last hash is prev ("" from the start).
func CheckChain(prev string, entries []AuditEntry) ChainCheck {
	c := ChainCheck{Head: prev}
	for _, e := range entries {
		if e.PrevHash != c.Head || e.ChainHash(c.Head) != e.Hash {
			c.BrokenAt = e.ID
			return c
		}
		c.Head = e.Hash
		c.Entries++
	}
	return c
}
