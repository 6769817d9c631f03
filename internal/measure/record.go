package measure

import "strings"

// Normalise makes a record consistent: every transaction is a contact, so
// Contacts is at least Transactions (a source that counts only
// transactions, or only "count", still has its contacts costed).
func (r *Record) Normalise() {
	if r.Contacts < r.Transactions {
		r.Contacts = r.Transactions
	}
}

// FindChannel returns the channel with the key among channels, then among
// the built-in ones.
func FindChannel(channels []Channel, key string) (Channel, bool) {
	for _, c := range channels {
		if c.Key == key {
			return c, true
		}
	}
	for _, c := range Builtin {
		if c.Key == key {
			return c, true
		}
	}
	return Channel{}, false
}

// ValidAgeBand says s is an answer to the optional age question: one of
// AgeBands or PreferNotToSay ("" is no answer and is valid too).
func ValidAgeBand(s string) bool {
	if s == "" || s == PreferNotToSay {
		return true
	}
	for _, b := range AgeBands {
		if b == s {
			return true
		}
	}
	return false
}

// ParseAgeBand reads an age band as people write it in a spreadsheet:
// "16-24", "16–24", "16 to 24", "75+", "75 and over", "prefer not to say".
// "" is no answer. It returns the band's key, or false.
func ParseAgeBand(s string) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(s))
	letters := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, f)
	switch letters {
	case "prefernot", "prefernottosay", "notsaying", "notsay":
		return PreferNotToSay, true
	}
	f = strings.NewReplacer("–", "-", "—", "-", " to ", "-", " ", "", "_", "").Replace(f)
	switch f {
	case "":
		return "", true
	case "75+", "75andover", "75orover", "75plus", "over75":
		return "75+", true
	}
	for _, b := range AgeBands {
		if f == b {
			return b, true
		}
	}
	return "", false
}
