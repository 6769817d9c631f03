package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/proposal"
)

// Open data for researchers, in the shape of the UK Parliament petitions
// site's JSON (petition.parliament.uk/petitions/ID.json and the lists),
// so that tools written for it read ours: GET /proposals/{id}.json and
// GET /boards/{id}.json. Only published proposals appear; the rest are
// 404, as though they did not exist. The documents are the same for
// everyone, so they are cached here for a few seconds and marked public
// for caches on the way.

// jsonMaxAge is how long clients and caches may keep a document: counts
// stay exact within seconds, as the public pages' do.
const jsonMaxAge = 10

// jsonPerPage is a list's page size, as on the petitions site.
const jsonPerPage = 50

// jsonTime is the petitions site's time format: UTC with milliseconds.
const jsonTime = "2006-01-02T15:04:05.000Z"

type petitionDocument struct {
	Links selfLink     `json:"links"`
	Data  petitionData `json:"data"`
}

type petitionList struct {
	Links listLinks      `json:"links"`
	Meta  listMeta       `json:"meta"`
	Data  []petitionData `json:"data"`
}

type selfLink struct {
	Self string `json:"self"`
}

type listLinks struct {
	Self  string  `json:"self"`
	First string  `json:"first"`
	Last  string  `json:"last"`
	Next  *string `json:"next"`
	Prev  *string `json:"prev"`
}

type listMeta struct {
	Count int       `json:"count"` // proposals that match, over every page
	Board boardMeta `json:"board"`
}

type boardMeta struct {
	ID                int64  `json:"id"`
	Kind              string `json:"kind"`
	Title             string `json:"title"`
	ResponseThreshold int    `json:"response_threshold"`
	DebateThreshold   int    `json:"debate_threshold"`
}

type petitionData struct {
	Type       string             `json:"type"` // "petition" or "idea"
	ID         int64              `json:"id"`
	Links      selfLink           `json:"links"`
	Attributes petitionAttributes `json:"attributes"`
}

type petitionAttributes struct {
	Action            string  `json:"action"`
	Background        string  `json:"background"`
	AdditionalDetails string  `json:"additional_details"`
	State             string  `json:"state"`  // "open" or "closed"
	Status            string  `json:"status"` // the official status
	Category          *string `json:"category"`
	CategoryName      *string `json:"category_name"`
	SignatureCount    int     `json:"signature_count"`
	CreatorName       *string `json:"creator_name"`
	CreatedAt         string  `json:"created_at"`
	OpenedAt          *string `json:"opened_at"`
	ClosedAt          *string `json:"closed_at"`
	// ClosingAt is when an open petition stops taking signatures (not on
	// the petitions site, which leaves readers to add six months).
	ClosingAt                  *string       `json:"closing_at"`
	ResponseThresholdReachedAt *string       `json:"response_threshold_reached_at"`
	ResponseDueAt              *string       `json:"response_due_at"`
	GovernmentResponseAt       *string       `json:"government_response_at"`
	DebateThresholdReachedAt   *string       `json:"debate_threshold_reached_at"`
	GovernmentResponse         *responseJSON `json:"government_response"`
	MergedInto                 *int64        `json:"merged_into"`
	// SignaturesByArea is filled for one proposal only, as the site fills
	// signatures_by_constituency.
	SignaturesByArea []areaCountJSON `json:"signatures_by_area,omitempty"`
}

type responseJSON struct {
	RespondedOn string `json:"responded_on"` // a date
	Summary     string `json:"summary"`
	Details     string `json:"details"`
}

type areaCountJSON struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	SignatureCount int    `json:"signature_count"`
}

func optJSONTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(jsonTime)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// splitBody divides a body as the petitions site divides a petition: its
// first paragraph is the background, the rest the additional details.
func splitBody(body string) (string, string) {
	first, rest, _ := strings.Cut(strings.TrimSpace(body), "\n\n")
	return strings.TrimSpace(first), strings.TrimSpace(rest)
}

func (s *Server) jsonBase() string { return strings.TrimRight(s.BaseURL, "/") }

// petitionOut is one proposal as the petitions site shows one petition.
func (s *Server) petitionOut(p proposal.Proposal, b proposal.Board, lang string, now time.Time) petitionData {
	id := strconv.FormatInt(p.ID, 10)
	kind := "petition"
	if p.Kind == proposal.Ideas {
		kind = "idea"
	}
	background, details := splitBody(p.Body)
	a := petitionAttributes{Action: p.Title, Background: background, AdditionalDetails: details, State: "open",
		Status: string(p.Status), SignatureCount: p.Supporters, CreatorName: optString(p.AuthorName),
		CreatedAt: p.CreatedAt.UTC().Format(jsonTime), OpenedAt: optJSONTime(p.PublishedAt),
		ResponseThresholdReachedAt: optJSONTime(p.ThresholdAt), DebateThresholdReachedAt: optJSONTime(p.DebateAt)}
	if !p.Supportable(now) {
		a.State = "closed"
		closed := p.ClosesAt
		if closed.IsZero() || closed.After(now) {
			closed = p.StatusAt // answered with a closing status, or merged
		}
		a.ClosedAt = optJSONTime(closed)
	} else {
		a.ClosingAt = optJSONTime(p.ClosesAt)
	}
	if c, ok := b.Category(p.Category); ok {
		a.Category, a.CategoryName = optString(c.Slug), optString(c.Name(lang))
	}
	if p.Awaiting() {
		a.ResponseDueAt = optJSONTime(p.ResponseDue)
	}
	if text := strings.TrimSpace(p.Response(lang)); text != "" && p.Status != proposal.Open {
		at := p.RespondedAt
		if at.IsZero() {
			at = p.StatusAt
		}
		summary, _ := splitBody(text)
		a.GovernmentResponseAt = optJSONTime(at)
		a.GovernmentResponse = &responseJSON{RespondedOn: at.UTC().Format(time.DateOnly), Summary: summary, Details: text}
	}
	if p.MergedInto != 0 {
		into := p.MergedInto
		a.MergedInto = &into
	}
	return petitionData{Type: kind, ID: p.ID, Links: selfLink{Self: s.jsonBase() + "/proposals/" + id + ".json"}, Attributes: a}
}

// proposalJSON serves /proposals/{id}.json: one published proposal, with
// its signatures by area.
func (s *Server) proposalJSON(w http.ResponseWriter, r *http.Request, id int64) error {
	return s.jsonDocument(w, r, func(ctx context.Context) (any, error) {
		p, err := s.Store.Proposal(ctx, id)
		if err != nil {
			return nil, err
		}
		if !p.Public() {
			return nil, apperr.New(apperr.NotFound, "error.404.title")
		}
		b, err := s.Store.Board(ctx, p.BoardID)
		if err != nil {
			return nil, err
		}
		areas, err := s.Store.CountsByArea(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		d := s.petitionOut(p, b, langOf(r), s.Now())
		d.Attributes.SignaturesByArea = make([]areaCountJSON, 0, len(areas))
		for _, c := range areas {
			d.Attributes.SignaturesByArea = append(d.Attributes.SignaturesByArea, areaCountJSON{Code: c.Code, Name: c.Name, SignatureCount: c.Count})
		}
		return petitionDocument{Links: selfLink{Self: d.Links.Self}, Data: d}, nil
	})
}

// boardJSON serves /boards/{id}.json: a page of the board's published
// proposals, newest first, 50 a page (?page=N from 1), narrowed by
// ?state=awaiting_response|with_response, ?status=, ?category= and sorted
// by ?sort=popular.
func (s *Server) boardJSON(w http.ResponseWriter, r *http.Request, id int64) error {
	return s.jsonDocument(w, r, func(ctx context.Context) (any, error) {
		b, err := s.Store.Board(ctx, id)
		if err != nil {
			return nil, err
		}
		q := r.URL.Query()
		page := 1
		if v := q.Get("page"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100000 {
				return nil, apperr.New(apperr.Invalid, "error.400.title")
			}
			page = n
		}
		f := proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortNewest, Limit: jsonPerPage, Offset: (page - 1) * jsonPerPage,
			Category: q.Get("category")}
		switch q.Get("state") {
		case "awaiting_response":
			f.Awaiting = true
		case "with_response":
			f.Answered = true
		}
		if st := proposal.Status(q.Get("status")); st != "" {
			for _, k := range proposal.Statuses {
				if k == st {
					f.Status = st
				}
			}
		}
		if q.Get("sort") == proposal.SortPopular {
			f.Sort = proposal.SortPopular
		}
		ps, total, err := s.Store.Proposals(ctx, f)
		if err != nil {
			return nil, err
		}
		lang, now := langOf(r), s.Now()
		out := petitionList{Data: make([]petitionData, 0, len(ps)), Meta: listMeta{Count: total,
			Board: boardMeta{ID: b.ID, Kind: string(b.Kind), Title: b.Title(lang), ResponseThreshold: b.ResponseThreshold, DebateThreshold: b.DebateThreshold}}}
		for _, p := range ps {
			out.Data = append(out.Data, s.petitionOut(p, b, lang, now))
		}
		last := max(1, (total+jsonPerPage-1)/jsonPerPage)
		pageURL := func(n int) string {
			v := url.Values{}
			for k, vs := range q {
				if k != "page" && k != "lang" {
					v[k] = vs
				}
			}
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
			u := s.jsonBase() + "/boards/" + strconv.FormatInt(b.ID, 10) + ".json"
			if len(v) > 0 {
				u += "?" + v.Encode()
			}
			return u
		}
		out.Links = listLinks{Self: pageURL(page), First: pageURL(1), Last: pageURL(last)}
		if page < last {
			next := pageURL(page + 1)
			out.Links.Next = &next
		}
		if page > 1 {
			prev := pageURL(min(page-1, last))
			out.Links.Prev = &prev
		}
		return out, nil
	})
}

// jsonDocument serves a public JSON document built by build: from the
// page cache when it is fresh, with an ETag so a client that has it gets
// 304, and errors as small JSON problems rather than HTML pages.
func (s *Server) jsonDocument(w http.ResponseWriter, r *http.Request, build func(ctx context.Context) (any, error)) error {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*") // open data, readable from any site's scripts
	key := "json|" + langOf(r) + "|" + r.URL.RequestURI()
	var body []byte
	if s.cache != nil {
		if p, ok := s.cache.get(key); ok {
			body = p.body
		}
	}
	if body == nil {
		v, err := build(r.Context())
		switch apperr.KindOf(err) {
		case apperr.NotFound, apperr.Invalid:
			return writeJSONProblem(w, err)
		}
		if err != nil {
			return err
		}
		if body, err = json.Marshal(v); err != nil {
			return err
		}
		body = append(body, '\n')
		if s.cache != nil {
			s.cache.put(key, body, "application/json; charset=utf-8", "")
		}
	}
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(jsonMaxAge))
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a failed write means the client has gone
	}
	return nil
}

// writeJSONProblem answers a JSON request that names nothing public (404)
// or has a bad parameter (400) in the JSON:API error style the petitions
// site's readers expect.
func writeJSONProblem(w http.ResponseWriter, err error) error {
	status := http.StatusNotFound
	if apperr.KindOf(err) == apperr.Invalid {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"status": strconv.Itoa(status), "title": http.StatusText(status)}}})
	_, _ = w.Write(append(b, '\n'))
	return nil
}
