package app

import (
	"context"
	"errors"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/feed"
	"parley/internal/jobs"
	"parley/internal/listening"
	"parley/internal/outbox"
	"parley/internal/query"
	"parley/internal/store"
	"parley/internal/textsim"
)

// Listening's polling: a recurring job asks for a fetch of every due feed,
// and each fetch job reads one feed, matches its items against the
// organisation's rules and saves what is new in one transaction.
const (
	pollEvery = time.Minute
	pollBatch = 2000 // feeds asked for per poll; the rest wait for the next
	// nearDuplicate is the least Jaccard index of word shingles at which two
	// texts are one mention: reposts with a different headline or footer.
	nearDuplicate       = 0.8
	recentForDuplicates = 500
)

// pollFeeds enqueues a fetch for every feed that is due.
func (a *App) pollFeeds(ctx context.Context, _ jobs.Job) error {
	n, err := a.Store.EnqueueDueFeeds(ctx, pollBatch)
	if n > 0 {
		a.Runner.Wake()
	}
	return err
}

// fetchFeed fetches one feed and records what it found or what went wrong.
// A failure of the feed is recorded, not returned: the schedule, backoff
// and parking are the feed's own, not the job queue's.
func (a *App) fetchFeed(ctx context.Context, j jobs.Job) error {
	var p listening.FetchArgs
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	_, err := a.FetchFeed(ctx, p.FeedID)
	if apperr.Is(err, apperr.NotFound) {
		return nil // deleted since the job was enqueued
	}
	return err
}

// FetchFeed fetches one feed now and returns how many new mentions it made.
func (a *App) FetchFeed(ctx context.Context, feedID int64) (int, error) {
	f, err := a.Store.Feed(ctx, feedID)
	if err != nil {
		return 0, err
	}
	if f.Parked {
		return 0, nil
	}
	resp, err := a.Fetcher.Fetch(ctx, feed.Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified})
	if feed.KindOf(err) == feed.KindParse && f.CheckedAt.IsZero() {
		// Staff may add a web page rather than its feed: on the first
		// fetch, here rather than in their request, use the feed it announces.
		if found, derr := a.Fetcher.Discover(ctx, f.URL); derr == nil && len(found) > 0 && found[0] != f.URL {
			if merr := a.Store.MoveFeed(ctx, f.ID, found[0]); merr == nil {
				f.URL = found[0]
				resp, err = a.Fetcher.Fetch(ctx, feed.Request{URL: f.URL})
			} else if !apperr.Is(merr, apperr.Conflict) && !apperr.Is(merr, apperr.Invalid) {
				return 0, merr
			}
		}
	}
	if err != nil {
		if feed.KindOf(err) == feed.KindCanceled || ctx.Err() != nil {
			return 0, err // shutting down: the job runs again
		}
		count := f.ErrorCount + 1
		next := time.Now().Add(a.Fetcher.Backoff(count))
		if resp.NextCheck.After(next) {
			next = resp.NextCheck
		}
		return 0, a.Store.RecordFetchFailure(ctx, listening.FetchFailure{FeedID: f.ID, Error: fetchErrorText(err),
			NextCheck: next, Park: a.Fetcher.ShouldPark(count)})
	}
	return a.recordFetched(ctx, f, resp, a.mentionAlert)
}

// recordFetched matches a good fetch's items and saves the outcome,
// alerting with alert (nil: no alerts).
func (a *App) recordFetched(ctx context.Context, f listening.Feed, resp feed.Response, alert store.AlertFunc) (int, error) {
	var err error
	out := listening.FetchOutcome{FeedID: f.ID, ETag: resp.ETag, LastModified: resp.LastModified, NextCheck: resp.NextCheck}
	if out.NextCheck.IsZero() {
		out.NextCheck = time.Now().Add(time.Hour)
	}
	if resp.NotModified {
		// Keep the validators we have when a 304 does not repeat them.
		if out.ETag == "" {
			out.ETag = f.ETag
		}
		if out.LastModified == "" {
			out.LastModified = f.LastModified
		}
	} else if resp.Feed != nil {
		out.Title, out.SiteURL = resp.Feed.Title, resp.Feed.SiteURL
		source := f.Title
		if source == "" {
			source = resp.Feed.Title
		}
		out.Mentions, err = a.matchItems(ctx, f.OrgID, source, resp.Feed.Items)
		if err != nil {
			return 0, err
		}
	}
	return a.Store.RecordFetch(ctx, out, alert)
}

// fetchErrorText says what went wrong in a few words for the feeds page,
// without the body or anything else the server sent.
func fetchErrorText(err error) string {
	var fe *feed.Error
	if errors.As(err, &fe) && fe.Kind == feed.KindStatus {
		return "HTTP " + strconv.Itoa(fe.StatusCode)
	}
	if k := feed.KindOf(err); k != 0 {
		return k.String()
	}
	return "error"
}

// matchItems turns a feed's items into mentions for every rule of the
// organisation they match. The rules are compiled once for the whole feed.
// Items whose text is nearly that of a recent mention (or of an earlier
// item here) are marked as its duplicate instead.
func (a *App) matchItems(ctx context.Context, orgID int64, source string, items []feed.Item) ([]listening.Mention, error) {
	rules, err := a.Store.Rules(ctx, orgID)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	set := a.ruleSets.get(orgID, rules)
	var seen *textsim.Index // built at the first match: most fetches match nothing
	var out []listening.Mention
	batch := map[string]int{} // index id of an item in this batch → its place in out
	for i, it := range items {
		text := listening.PlainText(it.Content, 4*listening.MaxExcerpt)
		title := listening.PlainText(it.Title, listening.MaxTitle)
		ids := set.Match(query.Item{Title: title, Text: text, Source: source, Author: it.Author})
		if len(ids) == 0 {
			continue
		}
		link := it.URL
		if link == "" {
			link = it.GUID
		}
		m := listening.Mention{Link: link, Title: title, Excerpt: listening.Clip(text, listening.MaxExcerpt),
			Author: it.Author, Published: it.Published, RuleIDs: ids}
		body := m.Title + "\n" + m.Excerpt
		if seen == nil {
			if seen, err = a.recentIndex(ctx, orgID); err != nil {
				return nil, err
			}
		}
		if dup := seen.Similar(body, nearDuplicate); len(dup) > 0 {
			if at, ok := batch[dup[0].ID]; ok {
				out[at].RuleIDs = mergeIDs(out[at].RuleIDs, ids)
				continue
			}
			m.DuplicateOf, _ = strconv.ParseInt(dup[0].ID, 10, 64)
		}
		key := "item:" + strconv.Itoa(i)
		seen.Add(key, body)
		batch[key] = len(out)
		out = append(out, m)
	}
	return out, nil
}

// recentIndex indexes the texts of the organisation's recent mentions,
// against which new items are checked for near-duplicates.
func (a *App) recentIndex(ctx context.Context, orgID int64) (*textsim.Index, error) {
	recent, err := a.Store.RecentMentions(ctx, orgID, recentForDuplicates)
	if err != nil {
		return nil, err
	}
	seen := textsim.NewIndex(textsim.Options{})
	for _, m := range recent {
		seen.Add(strconv.FormatInt(m.ID, 10), m.Title+"\n"+m.Excerpt)
	}
	return seen, nil
}

// ruleSets keeps each organisation's compiled rules, keyed by a digest of
// the rules, so that a poll round over many feeds compiles them once and a
// changed rule is picked up at the next fetch.
type ruleSets struct {
	mu sync.Mutex
	m  map[int64]ruleSet
}

type ruleSet struct {
	digest uint64
	set    *query.Set
}

func (c *ruleSets) get(orgID int64, rules []listening.Rule) *query.Set {
	h := fnv.New64a()
	for _, r := range rules {
		h.Write([]byte(strconv.FormatInt(r.ID, 10) + "\x00" + r.Query + "\x00"))
	}
	digest := h.Sum64()
	c.mu.Lock()
	e, ok := c.m[orgID]
	c.mu.Unlock()
	if ok && e.digest == digest {
		return e.set
	}
	set := compileRules(rules)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]ruleSet{}
	}
	c.m[orgID] = ruleSet{digest: digest, set: set}
	c.mu.Unlock()
	return set
}

// compileRules compiles an organisation's rules into one set; a rule that
// no longer parses (it was saved under an older grammar) never matches.
func compileRules(rules []listening.Rule) *query.Set {
	qs := make([]query.Rule, 0, len(rules))
	for _, r := range rules {
		q, _ := query.Parse(r.Query)
		qs = append(qs, query.Rule{ID: r.ID, Query: q})
	}
	return query.Compile(qs)
}

func mergeIDs(a, b []int64) []int64 {
	for _, id := range b {
		found := false
		for _, x := range a {
			found = found || x == id
		}
		if !found {
			a = append(a, id)
		}
	}
	return a
}

// mentionAlert is the immediate alert for a new mention, in the language
// of the rule's author.
func (a *App) mentionAlert(m listening.Mention, r listening.Rule, to account.User) outbox.Message {
	p := a.Catalogue.Printer(to.Lang)
	title := m.Title
	if title == "" {
		title = m.Link
	}
	body := p.T("email.listening.alert.body", "Rule", r.Name, "Title", title, "Link", m.Link,
		"Inbox", a.Config.BaseURL+"/staff/"+a.orgSlug(r.OrgID)+"/listening/mentions/"+strconv.FormatInt(m.ID, 10))
	subject := strings.ReplaceAll(p.T("email.listening.alert.subject", "Rule", r.Name), "\n", " ")
	return outbox.Message{Kind: "listening-alert", To: to.Email, Subject: subject, Body: body}
}

// orgSlug names an organisation in links; looked up per alert, which is rare.
func (a *App) orgSlug(id int64) string {
	o, err := a.Store.OrgByID(context.Background(), id)
	if err != nil {
		return strconv.FormatInt(id, 10)
	}
	return o.Slug
}

// feedTools gives the web layer OPML in listening's types.
type feedTools struct{}

func (feedTools) ReadOPML(r io.Reader) ([]listening.Feed, error) {
	outlines, err := feed.ParseOPML(r)
	if err != nil {
		return nil, err
	}
	out := make([]listening.Feed, 0, len(outlines))
	for _, o := range outlines {
		out = append(out, listening.Feed{URL: o.XMLURL, Title: o.Title, SiteURL: o.HTMLURL})
	}
	return out, nil
}

func (feedTools) WriteOPML(w io.Writer, title string, feeds []listening.Feed) error {
	outlines := make([]feed.Outline, 0, len(feeds))
	for _, f := range feeds {
		outlines = append(outlines, feed.Outline{Title: f.Title, XMLURL: f.URL, HTMLURL: f.SiteURL})
	}
	return feed.WriteOPML(w, title, outlines)
}

// digestEvery is how often digests go: the recurring slot runs once per
// period across instances, so each digest covers the period before it.
const digestEvery = 24 * time.Hour

// sendDigests emails each digest rule's author the mentions of the last day.
func (a *App) sendDigests(ctx context.Context, _ jobs.Job) error {
	n, err := a.Store.SendDigests(ctx, time.Now().Add(-digestEvery), a.mentionDigest)
	if n > 0 {
		a.Runner.Wake()
	}
	return err
}

// mentionDigest is a rule's daily digest, in its author's language.
func (a *App) mentionDigest(r listening.Rule, ms []listening.Mention, to account.User) outbox.Message {
	p := a.Catalogue.Printer(to.Lang)
	var b strings.Builder
	for _, m := range ms {
		title := m.Title
		if title == "" {
			title = m.Link
		}
		b.WriteString("- " + title + "\n  " + m.Link + "\n")
	}
	body := p.T("email.listening.digest.body", "Rule", r.Name, "Count", len(ms), "Mentions", b.String(),
		"Inbox", a.Config.BaseURL+"/staff/"+a.orgSlug(r.OrgID)+"/listening?rule="+strconv.FormatInt(r.ID, 10))
	subject := strings.ReplaceAll(p.T("email.listening.digest.subject", "Rule", r.Name, "Count", len(ms)), "\n", " ")
	return outbox.Message{Kind: "listening-digest", To: to.Email, Subject: subject, Body: body}
}
