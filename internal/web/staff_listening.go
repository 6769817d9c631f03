package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
	"parley/internal/org"
)

// FeedTools is what the feeds page needs of the feed package, which only
// app may import: reading and writing OPML.
type FeedTools interface {
	ReadOPML(r io.Reader) ([]listening.Feed, error)
	WriteOPML(w io.Writer, title string, feeds []listening.Feed) error
}

// ListeningFeedsPage lists the feeds an organisation watches.
type ListeningFeedsPage struct {
	Base
	Nav     ListeningNav
	CanEdit bool
	Feeds   []listening.Feed
	URL     string // the add form, refilled after an error
}

// maxOPMLBytes bounds an uploaded subscription list: thousands of feeds
// fit in a few hundred kilobytes.
const maxOPMLBytes = 2 << 20

func (s *Server) feedsPage(r *http.Request, o org.Organisation, p *account.Principal) (ListeningFeedsPage, error) {
	page := ListeningFeedsPage{Base: s.orgBase(r, "listening.feeds.title", o), Nav: listeningNav(o, langOf(r), "feeds"),
		CanEdit: p.Can(o.ID, account.PermEdit)}
	var err error
	page.Feeds, err = s.Store.Feeds(r.Context(), o.ID)
	return page, err
}

func (s *Server) listeningFeeds(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.feedsPage(r, o, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "listening-feeds", page)
}

func (s *Server) feedsError(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, err error, url string) error {
	page, perr := s.feedsPage(r, o, p)
	if perr != nil {
		return perr
	}
	page.URL = url
	var ae *apperr.Error
	errors.As(err, &ae)
	page.withErrors(ae.Order, ae.Fields)
	return s.render(w, r, http.StatusUnprocessableEntity, "listening-feeds", page)
}

func fieldErr(field, msg string) error {
	var f apperr.Fields
	f.Add(field, msg)
	return f.Err()
}

// addFeed watches the feed at a URL. The URL may be a web page: its first
// fetch, in the background, finds the feed the page announces (no network
// call from a request).
func (s *Server) addFeed(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	raw := strings.TrimSpace(r.PostFormValue("url"))
	if _, err := s.Store.CreateFeed(r.Context(), listening.Feed{OrgID: o.ID, URL: raw}, p.User.ID); apperr.Is(err, apperr.Invalid) {
		return s.feedsError(w, r, o, p, err, raw)
	} else if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "listening.feeds.added")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/feeds", http.StatusSeeOther)
	return nil
}

// importFeeds watches every feed of an uploaded OPML list; feeds already
// watched are skipped.
func (s *Server) importFeeds(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	if s.Feeds == nil {
		return errNotFound
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOPMLBytes+64<<10)
	if err := r.ParseMultipartForm(maxOPMLBytes); err != nil {
		return s.feedsError(w, r, o, p, fieldErr("opml", "error.listening.opml"), "")
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("opml")
	if err != nil {
		return s.feedsError(w, r, o, p, fieldErr("opml", "error.listening.opml"), "")
	}
	defer f.Close()
	feeds, err := s.Feeds.ReadOPML(io.LimitReader(f, maxOPMLBytes))
	if err != nil || len(feeds) == 0 {
		return s.feedsError(w, r, o, p, fieldErr("opml", "error.listening.opml"), "")
	}
	for _, fd := range feeds {
		fd.OrgID = o.ID
		if _, err := s.Store.CreateFeed(r.Context(), fd, p.User.ID); err != nil && !apperr.Is(err, apperr.Invalid) {
			return err
		}
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "listening.feeds.imported")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/feeds", http.StatusSeeOther)
	return nil
}

// exportFeeds downloads the organisation's feeds as OPML.
func (s *Server) exportFeeds(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	if s.Feeds == nil {
		return errNotFound
	}
	feeds, err := s.Store.Feeds(r.Context(), o.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+o.Slug+`-feeds.opml"`)
	return s.Feeds.WriteOPML(w, o.Name(langOf(r)), feeds)
}

func (s *Server) refreshFeed(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	f, err := s.Store.Feed(r.Context(), idParam(r.PathValue("id")))
	if err != nil || f.OrgID != o.ID {
		return errNotFound
	}
	if err := s.Store.RefreshFeed(r.Context(), f.ID, p.User.ID); err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "listening.feeds.refreshed")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/feeds", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteFeed(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	f, err := s.Store.Feed(r.Context(), idParam(r.PathValue("id")))
	if err != nil || f.OrgID != o.ID {
		return errNotFound
	}
	if err := s.Store.DeleteFeed(r.Context(), f.ID, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "listening.feeds.deleted")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/feeds", http.StatusSeeOther)
	return nil
}

// ListeningRulesPage lists the rules and holds the form that writes one,
// with a preview of what it would match among recent mentions.
type ListeningRulesPage struct {
	Base
	Nav       ListeningNav
	CanEdit   bool
	Rules     []RuleItem
	Name      string
	Query     string
	Alert     string
	Alerts    []Option
	Previewed bool
	Preview   []MentionItem
	PreviewOf int // how many recent mentions the preview searched
}

// RuleItem is a rule with its volume over the last days.
type RuleItem struct {
	listening.Rule
	Total int
	Spike string // the day of the last spike, "" if none
	Bars  []VolumeBar
}

// VolumeBar is one day of a rule's volume chart.
type VolumeBar struct {
	X, Y, H int
	Spike   bool
}

// volumeDays is the window of the rules' volume charts.
const volumeDays = 30

func ruleItems(rules []listening.Rule, vols map[int64]listening.Volume) []RuleItem {
	const height = 24
	out := make([]RuleItem, 0, len(rules))
	for _, r := range rules {
		v := vols[r.ID]
		it := RuleItem{Rule: r, Total: v.Total, Spike: v.Spike}
		for i, d := range v.Days {
			h := 0
			if v.Max > 0 {
				h = max(d.Count*height/v.Max, min(d.Count, 1))
			}
			it.Bars = append(it.Bars, VolumeBar{X: i * 4, Y: height - h, H: h, Spike: d.Spike})
		}
		out = append(out, it)
	}
	return out
}

// previewSample is how many recent mentions a preview searches.
const previewSample = 500

func (s *Server) rulesPage(r *http.Request, o org.Organisation, p *account.Principal, alert string) (ListeningRulesPage, error) {
	page := ListeningRulesPage{Base: s.orgBase(r, "listening.rules.title", o), Nav: listeningNav(o, langOf(r), "rules"),
		CanEdit: p.Can(o.ID, account.PermEdit), Alert: alert}
	if page.Alert == "" {
		page.Alert = string(listening.AlertNone)
	}
	for _, a := range []listening.AlertMode{listening.AlertNone, listening.AlertImmediate, listening.AlertDigest} {
		page.Alerts = append(page.Alerts, Option{Value: string(a), Label: page.T("listening.alert." + string(a)), Selected: string(a) == page.Alert})
	}
	rules, err := s.Store.Rules(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	now := s.Now()
	counts, err := s.Store.MentionsPerDay(r.Context(), o.ID, now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(volumeDays-1)))
	if err != nil {
		return page, err
	}
	page.Rules = ruleItems(rules, listening.Volumes(counts, now, volumeDays))
	return page, nil
}

func (s *Server) listeningRules(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.rulesPage(r, o, p, "")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "listening-rules", page)
}

// saveRule saves a rule, or with action=preview shows what it would match
// without saving it. Either way a query that does not parse is an error on
// the query field naming the column.
func (s *Server) saveRule(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ru := listening.Rule{OrgID: o.ID, Name: r.PostFormValue("name"), Query: r.PostFormValue("query"),
		Alert: listening.AlertMode(r.PostFormValue("alert"))}
	ru.Normalise()
	page, err := s.rulesPage(r, o, p, string(ru.Alert))
	if err != nil {
		return err
	}
	page.Name, page.Query = ru.Name, ru.Query
	if r.PostFormValue("action") == "preview" {
		if ru.Query == "" {
			err = fieldErr("query", "error.listening.rule.query.required")
		} else if err = ru.Validate(); err != nil && apperr.FieldsOf(err)["query"] == "" {
			err = nil // only the query matters for a preview
		}
		if err == nil {
			recent, rerr := s.Store.RecentMentions(r.Context(), o.ID, previewSample)
			if rerr != nil {
				return rerr
			}
			matched, marks, _ := listening.Preview(ru.Query, recent)
			page.Previewed, page.PreviewOf = true, len(recent)
			for i, m := range matched {
				page.Preview = append(page.Preview, MentionItem{Mention: m, TitleMarks: marks[i][0], ExcerptMarks: marks[i][1]})
			}
			return s.render(w, r, http.StatusOK, "listening-rules", page)
		}
	} else {
		_, err = s.Store.CreateRule(r.Context(), ru, p.User.ID)
		if err == nil {
			s.sessions.Put(r.Context(), "flash", "listening.rules.created")
			http.Redirect(w, r, "/staff/"+o.Slug+"/listening/rules", http.StatusSeeOther)
			return nil
		}
	}
	if !apperr.Is(err, apperr.Invalid) {
		return err
	}
	var ae *apperr.Error
	errors.As(err, &ae)
	order := ae.Order
	if r.PostFormValue("action") == "preview" {
		order = []string{"query"}
	}
	page.withErrors(order, ae.Fields)
	return s.render(w, r, http.StatusUnprocessableEntity, "listening-rules", page)
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ru, err := s.Store.Rule(r.Context(), idParam(r.PathValue("id")))
	if err != nil || ru.OrgID != o.ID {
		return errNotFound
	}
	if err := s.Store.DeleteRule(r.Context(), ru.ID, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "listening.rules.deleted")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/rules", http.StatusSeeOther)
	return nil
}
