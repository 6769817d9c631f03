package moderation

import "time"

// Submission is what the signals look at when a citizen writes something.
// The store fills it in; Screen decides.
type Submission struct {
	Text        string // what was written (a proposal's title and body together)
	AuthorName  string // the display name it will be shown under, also screened
	AuthorEmail string // "" when anonymous
	// AccountAge is how long the author's account has existed (0 when
	// anonymous); RecentByAuthor counts what the author wrote in the
	// organisation in the last hour, this one not included.
	AccountAge     time.Duration
	RecentByAuthor int
	Words          []string // the organisation's word list
	// Recent are texts written in the organisation's engagements in the
	// last day, other engagements included, for near-duplicate floods.
	Recent []string
}

// Screen runs every automatic signal over s and returns one Flag for each
// that fired (Reason and Detail set), in the order of Reasons: text for
// what was written, name for the display name (link spam and the word
// list only), so that the store can queue the name on its own.
func Screen(s Submission) (text, name []Flag) {
	// TODO(helper): implemented in signals work.
	return nil, nil
}
