package web

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/proposal"
)

// signatureRoutes registers the petition signing journey. Signing is the
// spike path: the POST reads nothing from the database (the petition,
// the organisation's blocklist and postcode lookup are kept in memory for
// a few seconds) and its write joins the store's signature batcher.
func (s *Server) signatureRoutes(mux *http.ServeMux) {
	mux.Handle("GET /proposals/{id}/sign", s.h(s.signForm))
	mux.Handle("POST /proposals/{id}/sign", s.h(s.signSubmit))
	mux.Handle("GET /proposals/{id}/sign/check-email", s.h(s.cached(s.signCheckEmail)))
	mux.Handle("GET /signatures/confirm/{token}", s.h(s.signConfirm))
	mux.Handle("GET /sponsor/{token}", s.h(s.sponsorForm))
	mux.Handle("POST /sponsor/{token}", s.h(s.sponsorSubmit))
}

// Rate limits of the signature form. A household, an office or a
// university behind one address signs a petition in the news many times
// over, so the per-address limits are generous; the per-address and
// per-petition limit stops one machine pouring signatures into one
// petition. Fraud past these shows in the trending report.
var (
	signPerIP         = rule{burst: 60, every: time.Second}
	signPerIPPetition = rule{burst: 10, every: 6 * time.Second}
)

// How long the signing caches keep what they read.
const (
	signPetitionTTL = 2 * time.Second  // a petition closing or hidden is seen within this
	signBlocksTTL   = 5 * time.Second  // a new blocklist entry takes effect within this
	signAreasTTL    = 60 * time.Second // the postcode lookup changes rarely and is big
)

// signCaches keeps, per petition and per organisation, what the signature
// form needs, so a spike of signatures does not become a spike of reads.
type signCaches struct {
	mu        sync.Mutex
	petitions map[int64]signPetition
	blocks    map[int64]signBlocks
	areas     map[int64]signAreas
	// areaLoads makes one reader load an organisation's lookup while the
	// others keep using the old one (or none): it can be large.
	areaLoads map[int64]bool
	// emails holds the confirmation email's text per language and kind.
	emails sync.Map
}

type signPetition struct {
	p       proposal.Proposal
	o       org.Organisation
	expires time.Time
}

type signBlocks struct {
	list    *proposal.Blocklist
	expires time.Time
}

type signAreas struct {
	lookup  *proposal.AreaLookup
	expires time.Time
}

// signPetitionByID returns a petition and its organisation, from memory
// when read in the last signPetitionTTL.
func (s *Server) signPetitionByID(r *http.Request, id int64) (proposal.Proposal, org.Organisation, error) {
	now := s.Now()
	c := &s.signing
	c.mu.Lock()
	e, ok := c.petitions[id]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, e.o, nil
	}
	p, err := s.Store.Proposal(r.Context(), id)
	if err != nil {
		return p, org.Organisation{}, err
	}
	o, err := s.Store.OrgByID(r.Context(), p.OrgID)
	if err != nil {
		return p, o, err
	}
	c.mu.Lock()
	if c.petitions == nil || len(c.petitions) > 10000 {
		c.petitions = map[int64]signPetition{}
	}
	c.petitions[id] = signPetition{p: p, o: o, expires: now.Add(signPetitionTTL)}
	c.mu.Unlock()
	return p, o, nil
}

// blocklist returns the organisation's compiled blocklist.
func (s *Server) blocklist(r *http.Request, orgID int64) (*proposal.Blocklist, error) {
	now := s.Now()
	c := &s.signing
	c.mu.Lock()
	e, ok := c.blocks[orgID]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.list, nil
	}
	entries, err := s.Store.Blocks(r.Context(), orgID)
	if err != nil {
		return nil, err
	}
	l := proposal.NewBlocklist(entries)
	c.mu.Lock()
	if c.blocks == nil || len(c.blocks) > 10000 {
		c.blocks = map[int64]signBlocks{}
	}
	c.blocks[orgID] = signBlocks{list: l, expires: now.Add(signBlocksTTL)}
	c.mu.Unlock()
	return l, nil
}

// areaLookup returns the organisation's postcode lookup. When it is stale
// one request reloads it; the others meanwhile use the stale one.
func (s *Server) areaLookup(r *http.Request, orgID int64) (*proposal.AreaLookup, error) {
	now := s.Now()
	c := &s.signing
	c.mu.Lock()
	e, ok := c.areas[orgID]
	if ok && (now.Before(e.expires) || c.areaLoads[orgID]) {
		c.mu.Unlock()
		return e.lookup, nil
	}
	if c.areaLoads == nil {
		c.areaLoads = map[int64]bool{}
	}
	c.areaLoads[orgID] = true
	c.mu.Unlock()
	rows, err := s.Store.Areas(r.Context(), orgID)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.areaLoads, orgID)
	if err != nil {
		return e.lookup, err
	}
	l := proposal.NewAreaLookup(rows)
	if c.areas == nil || len(c.areas) > 10000 {
		c.areas = map[int64]signAreas{}
	}
	c.areas[orgID] = signAreas{lookup: l, expires: now.Add(signAreasTTL)}
	return l, nil
}

// SignatureForm is the petition signature form (also the sponsor form).
type SignatureForm struct {
	Base
	Org        OrgItem
	P          SignPetition
	Action     string
	Sponsor    bool
	Stamp      string
	Name       string
	Email      string
	Postcode   string
	Country    string
	UKResident bool
	Countries  []CountryOption
}

// SignPetition is what the signing pages show of a petition.
type SignPetition struct {
	ID         int64
	Title      string
	URL        string
	Supporters string
}

// CountryOption is one country of the form's list.
type CountryOption struct {
	Code, Name string
	Selected   bool
}

// SignatureCheckEmail tells a signer to look for the confirmation email.
type SignatureCheckEmail struct {
	Base
	Org OrgItem
	P   SignPetition
}

// SignatureConfirmed thanks a signer whose link worked.
type SignatureConfirmed struct {
	Base
	Org     OrgItem
	P       SignPetition
	Sponsor bool
	Count   string
	Public  bool // the petition's page can be visited
}

// countries is the form's list: the United Kingdom first, then the
// countries most British citizens abroad live in, in English and Welsh.
var countries = []struct{ code, en, cy string }{
	{"GB", "United Kingdom", "Y Deyrnas Unedig"},
	{"AU", "Australia", "Awstralia"},
	{"BE", "Belgium", "Gwlad Belg"},
	{"CA", "Canada", "Canada"},
	{"CN", "China", "Tsieina"},
	{"CY", "Cyprus", "Cyprus"},
	{"FR", "France", "Ffrainc"},
	{"DE", "Germany", "Yr Almaen"},
	{"GR", "Greece", "Gwlad Groeg"},
	{"HK", "Hong Kong", "Hong Kong"},
	{"IN", "India", "India"},
	{"IE", "Ireland", "Iwerddon"},
	{"IT", "Italy", "Yr Eidal"},
	{"JP", "Japan", "Japan"},
	{"NL", "Netherlands", "Yr Iseldiroedd"},
	{"NZ", "New Zealand", "Seland Newydd"},
	{"NG", "Nigeria", "Nigeria"},
	{"PK", "Pakistan", "Pacistan"},
	{"PL", "Poland", "Gwlad Pwyl"},
	{"PT", "Portugal", "Portiwgal"},
	{"ZA", "South Africa", "De Affrica"},
	{"ES", "Spain", "Sbaen"},
	{"SE", "Sweden", "Sweden"},
	{"CH", "Switzerland", "Y Swistir"},
	{"AE", "United Arab Emirates", "Yr Emiradau Arabaidd Unedig"},
	{"US", "United States", "Unol Daleithiau America"},
}

func countryOptions(lang, selected string) []CountryOption {
	out := make([]CountryOption, len(countries))
	for i, c := range countries {
		name := c.en
		if lang == "cy" {
			name = c.cy
		}
		out[i] = CountryOption{Code: c.code, Name: name, Selected: c.code == selected}
	}
	return out
}

func knownCountry(code string) bool {
	for _, c := range countries {
		if c.code == code {
			return true
		}
	}
	return false
}

func signPetitionView(base Base, p proposal.Proposal) SignPetition {
	return SignPetition{ID: p.ID, Title: p.Title, URL: proposalPath(p.ID), Supporters: signatureCount(base, p.Supporters)}
}

// signatureCount is "1 signature" or "1,234 signatures" in the page's language.
func signatureCount(base Base, n int) string {
	if n == 1 {
		return base.T("signature.count_one")
	}
	return base.T("signature.count", "Count", groupDigits(n))
}

// signable loads a petition open to ordinary signatures, for the form.
func (s *Server) signable(r *http.Request) (proposal.Proposal, org.Organisation, error) {
	id, err := pathInt64(r, "id")
	if err != nil {
		return proposal.Proposal{}, org.Organisation{}, err
	}
	p, o, err := s.signPetitionByID(r, id)
	if err != nil {
		return p, o, err
	}
	if !p.Public() || p.Kind != proposal.Petitions {
		return p, o, errNotFound
	}
	if !p.Supportable(s.Now()) {
		return p, o, apperr.New(apperr.Conflict, "error.signature.closed")
	}
	return p, o, nil
}

// sponsorable loads the petition a sponsor link names, still collecting sponsors.
func (s *Server) sponsorable(r *http.Request) (proposal.Proposal, org.Organisation, error) {
	token := r.PathValue("token")
	if token == "" || len(token) > 200 {
		return proposal.Proposal{}, org.Organisation{}, errNotFound
	}
	p, err := s.Store.ProposalBySponsorToken(r.Context(), token)
	if err != nil {
		return p, org.Organisation{}, err
	}
	o, err := s.Store.OrgByID(r.Context(), p.OrgID)
	if err != nil {
		return p, o, err
	}
	if p.Kind != proposal.Petitions {
		return p, o, errNotFound
	}
	return p, o, nil
}

func (s *Server) newSignForm(r *http.Request, p proposal.Proposal, o org.Organisation, sponsor bool) SignatureForm {
	title := "signature.form.title"
	if sponsor {
		title = "signature.sponsor.title"
	}
	base := s.orgBase(r, title, o)
	f := SignatureForm{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}, P: signPetitionView(base, p),
		Action: proposalPath(p.ID) + "/sign", Sponsor: sponsor, Stamp: proposal.Stamp(s.FormKey, s.Now()), Country: "GB"}
	if sponsor {
		f.Action = "/sponsor/" + url.PathEscape(r.PathValue("token"))
	}
	return f
}

// renderSignForm shows the form; the stamp is always fresh and the page
// is never cached: its stamp times this visitor's filling in.
func (s *Server) renderSignForm(w http.ResponseWriter, r *http.Request, status int, f SignatureForm) error {
	f.Countries = countryOptions(f.Lang, f.Country)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "signature-form", f)
}

func (s *Server) signForm(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.signable(r)
	if err != nil {
		return err
	}
	return s.renderSignForm(w, r, http.StatusOK, s.newSignForm(r, p, o, false))
}

func (s *Server) signSubmit(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.signable(r)
	if err != nil {
		return err
	}
	return s.submitSignature(w, r, p, o, false)
}

func (s *Server) sponsorForm(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.sponsorable(r)
	if err != nil {
		return err
	}
	if p.Stage != proposal.Sponsoring {
		return s.sponsoringOver(w, r, p)
	}
	return s.renderSignForm(w, r, http.StatusOK, s.newSignForm(r, p, o, true))
}

func (s *Server) sponsorSubmit(w http.ResponseWriter, r *http.Request) error {
	p, o, err := s.sponsorable(r)
	if err != nil {
		return err
	}
	if p.Stage != proposal.Sponsoring {
		return s.sponsoringOver(w, r, p)
	}
	return s.submitSignature(w, r, p, o, true)
}

// sponsoringOver answers a sponsor link once the petition has its
// sponsors: to its signature form when it is open, otherwise a page
// saying so.
func (s *Server) sponsoringOver(w http.ResponseWriter, r *http.Request, p proposal.Proposal) error {
	if p.Public() && p.Supportable(s.Now()) {
		http.Redirect(w, r, proposalPath(p.ID)+"/sign", http.StatusSeeOther)
		return nil
	}
	s.errorPage(w, r, http.StatusConflict, "signature.sponsor.over_title", "signature.sponsor.over_body")
	return nil
}

// submitSignature checks a posted form and hands the signature to the
// store. Every check but the stamp's and the fields' refuses outright; a
// form that is incomplete, or was sent too soon after it was served
// (bots fill forms in at once), is shown again to be checked and sent.
func (s *Server) submitSignature(w http.ResponseWriter, r *http.Request, p proposal.Proposal, o org.Organisation, sponsor bool) error {
	sig := proposal.Signature{ProposalID: p.ID, Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Postcode: r.PostFormValue("postcode"), Country: r.PostFormValue("country"),
		UKResident: r.PostFormValue("uk_resident") == "yes", Sponsor: sponsor, Lang: langOf(r), IP: clientIP(r)}
	// The page is built only to show the form again: the accepted
	// signature, the spike's common case, needs no translation, session
	// or new stamp.
	again := func(order []string, fields map[string]string) error {
		f := s.newSignForm(r, p, o, sponsor)
		f.Name, f.Email, f.Postcode = r.PostFormValue("name"), r.PostFormValue("email"), r.PostFormValue("postcode")
		f.Country, f.UKResident = sig.Country, sig.UKResident
		f.withErrors(order, fields)
		return s.renderSignForm(w, r, http.StatusUnprocessableEntity, f)
	}
	sig.Normalise()
	verr := sig.Validate()
	if verr == nil && !knownCountry(sig.Country) {
		verr = apperr.New(apperr.Invalid, "error.signature.country")
	}
	if verr != nil {
		var ae *apperr.Error
		if errors.As(verr, &ae) && len(ae.Fields) > 0 {
			return again(ae.Order, ae.Fields)
		}
		return again([]string{"country"}, map[string]string{"country": "error.signature.country"})
	}
	switch err := proposal.CheckStamp(s.FormKey, r.PostFormValue("stamp"), s.Now()); {
	case errors.Is(err, proposal.ErrStampFast):
		return again([]string{"submit"}, map[string]string{"submit": "signature.form.too_fast"})
	case err != nil:
		return again([]string{"submit"}, map[string]string{"submit": "signature.form.expired"})
	}
	ip := clientIP(r)
	if err := s.limits.allow("sign:"+ip, signPerIP); err != nil {
		return err
	}
	if err := s.limits.allow("sign:"+ip+":"+strconv.FormatInt(p.ID, 10), signPerIPPetition); err != nil {
		return err
	}
	bl, err := s.blocklist(r, p.OrgID)
	if err != nil {
		return err
	}
	addr, _ := netip.ParseAddr(ip)
	if _, blocked := bl.Blocked(addr, sig.EmailNorm); blocked {
		// Say no clearly, but not why: a reason would teach the way round it.
		s.errorPage(w, r, http.StatusForbidden, "signature.refused.title", "signature.refused.body")
		return nil
	}
	if sig.Country == "GB" && sig.Postcode != "" {
		areas, err := s.areaLookup(r, p.OrgID)
		if err != nil {
			return err
		}
		if a, ok := areas.Find(sig.Postcode); ok {
			sig.Area = a.Code
		}
	}
	if err := s.Store.SubmitSignature(r.Context(), sig, s.composeSignatureEmail(p)); err != nil {
		return err
	}
	http.Redirect(w, r, proposalPath(p.ID)+"/sign/check-email", http.StatusSeeOther)
	return nil
}

// composeSignatureEmail writes the confirmation email in the signer's
// language. The translated text is made once per language and kind with
// markers where the name, title and link go, then filled in with a
// strings.Replacer: translating each email afresh was 4% of a signature's
// cost in profiles.
func (s *Server) composeSignatureEmail(p proposal.Proposal) func(sig proposal.Signature, token string) outbox.Message {
	return func(sig proposal.Signature, token string) outbox.Message {
		t := s.signatureEmailText(sig.Lang, sig.Sponsor)
		body := strings.NewReplacer(markName, noControls(sig.Name), markTitle, p.Title, markLink, s.BaseURL+"/signatures/confirm/"+token).Replace(t.body)
		return outbox.Message{Kind: proposal.ConfirmSignatureKind, To: sig.Email, Subject: t.subject, Body: body}
	}
}

// Markers for what each confirmation email fills in; control characters
// are taken out of the one thing a signer writes into it, their name.
const (
	markName  = "\x00name\x00"
	markTitle = "\x00title\x00"
	markLink  = "\x00link\x00"
)

func noControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

type signatureEmail struct{ subject, body string }

func (s *Server) signatureEmailText(lang string, sponsor bool) signatureEmail {
	key := lang
	if sponsor {
		key += "/sponsor"
	}
	if t, ok := s.signing.emails.Load(key); ok {
		return t.(signatureEmail)
	}
	tr := s.Catalogue.Printer(lang)
	id := "email.signature.body"
	if sponsor {
		id = "email.signature.sponsor_body"
	}
	t := signatureEmail{subject: tr.T("email.signature.subject"), body: tr.T(id, "Name", markName, "Title", markTitle, "Link", markLink)}
	s.signing.emails.Store(key, t)
	return t
}

func (s *Server) signCheckEmail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt64(r, "id")
	if err != nil {
		return err
	}
	p, o, err := s.signPetitionByID(r, id)
	if err != nil {
		return err
	}
	if p.Kind != proposal.Petitions || (!p.Public() && p.Stage != proposal.Sponsoring) {
		return errNotFound
	}
	base := s.orgBase(r, "signature.check_email.title", o)
	return s.render(w, r, http.StatusOK, "signature-check-email",
		SignatureCheckEmail{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}, P: signPetitionView(base, p)})
}

// signConfirm follows a confirmation link. Following it again shows the
// same page and counts nothing more.
func (s *Server) signConfirm(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	sig, err := s.Store.ConfirmSignature(r.Context(), r.PathValue("token"))
	if apperr.Is(err, apperr.NotFound) || err == nil && !sig.InvalidatedAt.IsZero() {
		s.errorPage(w, r, http.StatusNotFound, "signature.confirm.bad_title", "signature.confirm.bad_body")
		return nil
	}
	if err != nil {
		return err
	}
	p, err := s.Store.Proposal(r.Context(), sig.ProposalID)
	if err != nil {
		return err
	}
	o, err := s.Store.OrgByID(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	base := s.orgBase(r, "signature.confirmed.title", o)
	return s.render(w, r, http.StatusOK, "signature-confirmed", SignatureConfirmed{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)},
		P: signPetitionView(base, p), Sponsor: sig.Sponsor, Count: signatureCount(base, p.Supporters), Public: p.Public()})
}
