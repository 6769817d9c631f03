package moderation

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"parley/internal/textsim"
)

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
	// Floods, when set, holds the recent texts already indexed, and
	// Recent is not read.
	Floods *FloodIndex
	// Recent are texts written in the organisation's engagements in the
	// last day, other engagements included, for near-duplicate floods.
	// The text being screened should not be among them.
	Recent []string
}

// Thresholds of the automatic signals. A signal only sends content to the
// queue for a person to look at, so they lean towards firing on spam's
// usual shapes while leaving ordinary civic writing alone.
const (
	// MaxLinks: three links or more is a link list whatever its length;
	// people writing about a street rarely cite more than two pages.
	MaxLinks = 3
	// MinWordsPerLink: with fewer than this many words of its own per
	// link, a text is mostly links (an advert or a link drop), not
	// a point made with a reference.
	MinWordsPerLink = 8

	// RepetitionThreshold is the RepetitionScore at which Repetition
	// fires. Each of the measures below maps to the score so that reaching
	// its limit gives exactly this.
	RepetitionThreshold = 0.4
	// RepeatMinWords: the share of one word is only measured in texts of
	// at least this many words ("no no no" is an answer, not spam).
	RepeatMinWords = 8
	// RepeatWordShare: one word making up this share of a text is
	// repetition; in real prose the commonest word ("the", "y") is under
	// a tenth.
	RepeatWordShare = 0.4
	// RepeatRun: a character repeated this many times in a row
	// ("!!!!!!!!!!", "aaaaaaaaaa"). Digits, spaces and the characters
	// Markdown draws rules and tables with (- = _ * # ~ ` | .) do not
	// count, so a horizontal rule or a long number is not repetition.
	RepeatRun = 10
	// RepeatRunMax is the run length that gives the score 1.
	RepeatRunMax = 40
	// CapsMinLetters and CapsShare: a text whose cased letters number at
	// least CapsMinLetters and are at least CapsShare capitals is shouting.
	// Twenty letters is about four words, so a heading or an acronym
	// ("NHS", "A&E") is not enough; the share allows a stray lower-case
	// letter or two.
	CapsMinLetters = 20
	CapsShare      = 0.95

	// NewAccountAge: an account younger than this is new.
	NewAccountAge = 24 * time.Hour
	// NewAccountRecent: a new account that has already written this many
	// times in the organisation in the last hour is writing fast (this
	// would be its fourth).
	NewAccountRecent = 3
	// AnyAccountRecent: any account writing this many times in an hour
	// (this would be its eleventh) is writing faster than people discuss.
	AnyAccountRecent = 10

	// FloodSimilarity is the Jaccard index of word shingles above which
	// two texts are near-duplicates: the same message with a few words
	// changed. Different people's answers on one subject share under 0.05.
	FloodSimilarity = 0.6
	// FloodCopies: this many near-duplicates in the organisation in the
	// last day is a flood (one or two may be people quoting each other).
	FloodCopies = 3
)

// Screen runs every automatic signal over s and returns one Flag for each
// that fired (Reason and Detail set), in the order of Reasons: text for
// what was written, name for the display name (link spam and the word
// list only), so that the store can queue the name on its own.
func Screen(s Submission) (text, name []Flag) {
	words := compileWords(s.Words)
	if d, ok := linkSpam(s.Text); ok {
		text = append(text, Flag{Reason: LinkSpam, Detail: d})
	}
	if d, ok := repetition(s.Text); ok {
		text = append(text, Flag{Reason: Repetition, Detail: d})
	}
	if d, ok := velocity(s.AccountAge, s.RecentByAuthor); ok {
		text = append(text, Flag{Reason: NewAccount, Detail: d})
	}
	if d, ok := words.match(s.Text); ok {
		text = append(text, Flag{Reason: WordList, Detail: d})
	}
	n := 0
	if s.Floods != nil {
		n = s.Floods.Count(s.Text)
	} else {
		n = FloodCount(s.Text, s.Recent)
	}
	if n >= FloodCopies {
		text = append(text, Flag{Reason: Flood, Detail: "similar=" + strconv.Itoa(n)})
	}
	if d := disposableDomain(s.AuthorEmail); d != "" {
		text = append(text, Flag{Reason: DisposableEmail, Detail: "domain=" + d})
	}

	if d, ok := linkSpam(s.AuthorName); ok {
		name = append(name, Flag{Reason: LinkSpam, Detail: d})
	}
	if d, ok := words.match(s.AuthorName); ok {
		name = append(name, Flag{Reason: WordList, Detail: d})
	}
	return text, name
}

// --- Link spam ---

// LinkCount counts the links in text: anything starting http:// or
// https://, www.something, and bare domains such as example.com or
// example.org/path. Abbreviations ("e.g.", "a.m.") and decimals ("2.5")
// are not links; nor are email addresses. A bare domain counts when it
// has a path or its top-level domain is one spammers use and no word
// commonly follows a full stop typed without a space ("winter.It" is not
// a link).
func LinkCount(text string) int {
	n, _ := countLinks(text)
	return n
}

// countLinks returns the number of links and of other words.
func countLinks(text string) (links, words int) {
	for _, f := range strings.FieldsFunc(text, linkSep) {
		f = strings.TrimLeft(f, "([{<\"'‘“*_")
		f = strings.TrimRight(f, ".,;:!?)]}>\"'’”*_")
		if f == "" {
			continue
		}
		if isLink(f) {
			links++
		} else if strings.ContainsFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			words++
		}
	}
	return links, words
}

// linkSep separates the candidates for links: spaces, and the brackets
// and quotes around Markdown and HTML links.
func linkSep(r rune) bool {
	switch r {
	case '(', ')', '[', ']', '<', '>', '"', '|':
		return true
	}
	return unicode.IsSpace(r)
}

func isLink(f string) bool {
	l := strings.ToLower(f)
	for _, p := range []string{"http://", "https://"} {
		if strings.HasPrefix(l, p) {
			return len(l) > len(p)
		}
	}
	if strings.Contains(l, "@") {
		return false // an email address, or a handle
	}
	host, rest, hasPath := strings.Cut(l, "/")
	if i := strings.IndexAny(host, "?#:"); i >= 0 {
		host = host[:i]
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, lb := range labels {
		if !validLabel(lb) {
			return false
		}
	}
	if labels[0] == "www" {
		return len(labels) >= 3
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || len(tld) > 24 || strings.ContainsFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' }) {
		return false
	}
	if hasPath && rest != "" {
		return true
	}
	return linkTLDs[tld]
}

// validLabel reports whether s is a DNS label: ASCII letters, digits and
// inner hyphens.
func validLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// linkTLDs are the top-level domains a bare domain without a path is
// recognised by. Country codes that are also common words in English or
// Welsh ("it", "in", "is", "me", "no", "to", "at", "be", "am", "ac", "yn")
// are left out.
var linkTLDs = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`
		com net org info biz io co uk ly ru cn xyz top site online click link
		shop store club app dev tk ml ga cf gq pw cc tv eu de fr nl es pl ua
		br jp kr au ca ch se ie nz za wales cymru gov edu pro live life win
		bid loan vip icu buzz fun space website tech email media news blog
		mobi name cloud digital today world trade party review stream
		download racing date faith cricket science work xin ws su`) {
		m[t] = true
	}
	return m
}()

func linkSpam(text string) (string, bool) {
	links, words := countLinks(text)
	if links == 0 || links < MaxLinks && words >= MinWordsPerLink*links {
		return "", false
	}
	return "links=" + strconv.Itoa(links) + " words=" + strconv.Itoa(words), true
}

// --- Repetition ---

// RepetitionScore measures, from 0 to 1, how much of text is the same
// thing over and over: the share of its commonest word (in texts of at
// least RepeatMinWords words), its longest run of one character, and how
// much of it is in capitals. Each measure is scaled so that its limit
// (RepeatWordShare, RepeatRun, CapsShare) gives RepetitionThreshold, and
// the score is the greatest of them.
func RepetitionScore(text string) float64 {
	return measureRepetition(text).score()
}

type repetitionMeasure struct {
	words int    // normalised words
	top   string // the commonest word
	topN  int    // its count
	run   int    // longest run of one character that counts
	upper int    // capital letters
	lower int    // lower-case letters
}

func measureRepetition(text string) repetitionMeasure {
	var m repetitionMeasure
	toks := textsim.Tokens(text)
	m.words = len(toks)
	if m.words >= RepeatMinWords {
		counts := make(map[string]int, len(toks))
		for _, t := range toks {
			counts[t]++
			if c := counts[t]; c > m.topN || c == m.topN && t < m.top {
				m.top, m.topN = t, c
			}
		}
	}
	var prev rune = -1
	run := 0
	for _, r := range text {
		switch {
		case unicode.IsUpper(r):
			m.upper++
		case unicode.IsLower(r):
			m.lower++
		}
		if !runCounts(r) {
			prev, run = -1, 0
			continue
		}
		if r == prev {
			run++
		} else {
			prev, run = r, 1
		}
		m.run = max(m.run, run)
	}
	return m
}

// runCounts reports whether a run of r can be repetition.
func runCounts(r rune) bool {
	if unicode.IsSpace(r) || unicode.IsDigit(r) || r == utf8.RuneError {
		return false
	}
	switch r {
	case '-', '=', '_', '*', '#', '~', '`', '|', '.', '\u2014', '\u2013':
		return false
	}
	return unicode.IsPrint(r)
}

// scale maps x on [0, limit] to [0, RepetitionThreshold) and [limit, top]
// to [RepetitionThreshold, 1].
func scale(x, limit, top float64) float64 {
	if x >= limit {
		return min(1, RepetitionThreshold+(1-RepetitionThreshold)*(x-limit)/(top-limit))
	}
	if x <= 0 {
		return 0
	}
	// Strictly below the threshold even when rounding would reach it.
	return min(RepetitionThreshold*(x/limit), 0.399999)
}

func (m repetitionMeasure) wordShare() float64 {
	if m.words < RepeatMinWords {
		return 0
	}
	return float64(m.topN) / float64(m.words)
}

func (m repetitionMeasure) capsShare() float64 {
	if m.upper < CapsMinLetters {
		return 0
	}
	return float64(m.upper) / float64(m.upper+m.lower)
}

func (m repetitionMeasure) score() float64 {
	return max(
		scale(m.wordShare(), RepeatWordShare, 1),
		scale(float64(m.run), RepeatRun, RepeatRunMax),
		scale(m.capsShare(), CapsShare, 1),
	)
}

func repetition(text string) (string, bool) {
	m := measureRepetition(text)
	sc := m.score()
	if sc < RepetitionThreshold {
		return "", false
	}
	d := []string{"score=" + strconv.FormatFloat(sc, 'f', 2, 64)}
	if s := m.wordShare(); s >= RepeatWordShare {
		d = append(d, "word="+m.top, "share="+strconv.FormatFloat(s, 'f', 2, 64))
	}
	if m.run >= RepeatRun {
		d = append(d, "run="+strconv.Itoa(m.run))
	}
	if m.capsShare() >= CapsShare {
		d = append(d, "capitals="+strconv.Itoa(m.upper))
	}
	return strings.Join(d, " "), true
}

// --- New-account velocity ---

func velocity(age time.Duration, recent int) (string, bool) {
	young := age > 0 && age < NewAccountAge
	if !(young && recent >= NewAccountRecent || recent >= AnyAccountRecent) {
		return "", false
	}
	return "recent=" + strconv.Itoa(recent) + " age=" + formatAge(age), true
}

// formatAge writes an account's age coarsely: minutes under an hour,
// hours under two days, then days.
func formatAge(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < 48*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
}

// --- Word list ---

// wordList is an organisation's word list ready to match: each entry's
// normalised words, grouped by the first.
type wordList struct {
	byFirst map[string][]wordEntry
	raw     []wordEntry // entries with no words of their own ("£££"), matched as text
}

type wordEntry struct {
	i     int // position in the list, for the detail's order
	text  string
	words []string
}

func compileWords(list []string) wordList {
	w := wordList{byFirst: map[string][]wordEntry{}}
	for i, e := range list {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		toks := textsim.Tokens(e)
		if len(toks) == 0 {
			w.raw = append(w.raw, wordEntry{i: i, text: e})
			continue
		}
		w.byFirst[toks[0]] = append(w.byFirst[toks[0]], wordEntry{i: i, text: e, words: toks})
	}
	return w
}

// match returns "words=a,b" for the entries found in text, in the list's
// order: an entry matches whole words, after folding case and accents, so
// "scam" matches "SCAM!" and "scâm" but not "scampi".
func (w wordList) match(text string) (string, bool) {
	if len(w.byFirst) == 0 && len(w.raw) == 0 || text == "" {
		return "", false
	}
	hit := map[int]string{}
	if len(w.byFirst) > 0 {
		toks := textsim.Tokens(text)
		for i, t := range toks {
			for _, e := range w.byFirst[t] {
				if _, ok := hit[e.i]; ok || len(e.words) > len(toks)-i {
					continue
				}
				same := true
				for j, x := range e.words[1:] {
					if toks[i+1+j] != x {
						same = false
						break
					}
				}
				if same {
					hit[e.i] = e.text
				}
			}
		}
	}
	if len(w.raw) > 0 {
		lt := strings.ToLower(text)
		for _, e := range w.raw {
			if strings.Contains(lt, e.text) {
				hit[e.i] = e.text
			}
		}
	}
	if len(hit) == 0 {
		return "", false
	}
	idx := make([]int, 0, len(hit))
	for i := range hit {
		idx = append(idx, i)
	}
	// Insertion sort: a handful of hits at most.
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = hit[i]
	}
	return "words=" + strings.Join(out, ","), true
}

// --- Floods ---

// FloodCount counts the texts in recent that are near-duplicates of text
// (Jaccard index of word shingles at least FloodSimilarity). Texts of
// fewer than textsim's MinWords words never match.
func FloodCount(text string, recent []string) int {
	if len(recent) == 0 || strings.TrimSpace(text) == "" {
		return 0
	}
	x := textsim.NewIndex(textsim.Options{})
	for i, r := range recent {
		x.Add(strconv.Itoa(i), r)
	}
	return len(x.Similar(text, FloodSimilarity))
}

// FloodIndex holds an organisation's recent writing for the flood signal,
// so that a new text is compared with the day's writing without indexing
// all of it again: indexing is most of the signals' cost. Texts are only
// added; whoever keeps the index replaces it to forget old ones. It is
// safe for concurrent use.
type FloodIndex struct {
	idx *textsim.Index
}

// NewFloodIndex returns an empty index.
func NewFloodIndex() *FloodIndex {
	return &FloodIndex{idx: textsim.NewIndex(textsim.Options{})}
}

// Add indexes one recent text.
func (f *FloodIndex) Add(text string) {
	f.idx.Add("", text)
}

// Len is the number of texts added.
func (f *FloodIndex) Len() int { return f.idx.Len() }

// Count is FloodCount over the texts added.
func (f *FloodIndex) Count(text string) int {
	if strings.TrimSpace(text) == "" {
		return 0
	}
	return len(f.idx.Similar(text, FloodSimilarity))
}

// --- Disposable email ---

//go:embed disposable.txt
var disposableList string

var disposableDomains = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(disposableList, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if d := strings.ToLower(strings.TrimSpace(line)); d != "" {
			m[d] = true
		}
	}
	return m
})

// IsDisposable reports whether email's domain, or a domain it is under
// ("x.mailinator.com"), is a known throw-away mail service.
func IsDisposable(email string) bool { return disposableDomain(email) != "" }

// disposableDomain returns the listed domain email's domain is, or is
// under; "" when none.
func disposableDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	list := disposableDomains()
	for d != "" {
		if list[d] {
			return d
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return ""
}
