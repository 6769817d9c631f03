package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/proposal"
)

// staffPetitionRoutes registers the fraud controls and the postcode lookup.
func (s *Server) staffPetitionRoutes(mux *http.ServeMux) {
	const p = "/staff/{org}/petitions"
	s.staff(mux, "GET", p+"/fraud", account.PermModerate, s.petitionFraud)
	s.staff(mux, "POST", p+"/blocks", account.PermModerate, s.addPetitionBlock)
	s.staff(mux, "POST", p+"/blocks/{id}/delete", account.PermModerate, s.removePetitionBlock)
	s.staff(mux, "POST", p+"/invalidate", account.PermModerate, s.invalidateSignatures)
	s.staff(mux, "GET", p+"/areas", account.PermEdit, s.petitionAreas)
	s.staff(mux, "POST", p+"/areas", account.PermEdit, s.uploadPetitionAreas)
}

func fraudURL(o org.Organisation) string { return "/staff/" + o.Slug + "/petitions/fraud" }

// trendWindow is how far back the trending report looks.
const trendWindow = 24 * time.Hour

// StaffTrendItem is a row of the trending report.
type StaffTrendItem struct {
	ProposalURL   string
	Title         string
	Hour          time.Time
	Kind          string // translated
	Key           string
	Count         int
	Alert         bool
	InvalidateURL string // the invalidation form filled in for this row
}

// StaffBlockItem is a blocklist entry.
type StaffBlockItem struct {
	ID        int64
	Kind      string // translated
	Value     string
	Note      string
	CreatedAt time.Time
}

// StaffInvalidationForm is the bulk invalidation form as typed.
type StaffInvalidationForm struct {
	Proposal, IP, Domain, Email, Postcode, Name string
	From, To                                    StaffDateField
	FromTime, ToTime                            string
	Reason                                      string
}

// StaffPetitionFraudPage is the moderators' fraud controls: the trending
// report, the blocklist and bulk invalidation.
type StaffPetitionFraudPage struct {
	Base
	Org         OrgItem
	CanEdit     bool
	Since       time.Time
	Trends      []StaffTrendItem
	Alerts      int
	Blocks      []StaffBlockItem
	BlockKind   StaffChoices
	BlockValue  string
	BlockNote   string
	Inv         StaffInvalidationForm
	Invalidated string // how many signatures the last confirmed invalidation took out; "" for none
}

var blockKinds = []string{string(proposal.BlockIP), string(proposal.BlockDomain), string(proposal.BlockEmail)}

// invalidationRaw is what the invalidation form sent, kept as typed.
type invalidationRaw struct {
	Proposal, IP, Domain, Email, Postcode, Name string
	From, To                                    StaffDate
	FromTime, ToTime                            string
	Reason                                      string
}

// invalidationFields are the invalidation form's text inputs, in page order.
var invalidationFields = []string{"proposal", "ip", "domain", "email", "postcode", "name", "from_time", "to_time", "reason"}

func readInvalidationRaw(get func(string) string) invalidationRaw {
	d := func(name string) StaffDate {
		return StaffDate{Day: strings.TrimSpace(get(name + "-day")), Month: strings.TrimSpace(get(name + "-month")), Year: strings.TrimSpace(get(name + "-year"))}
	}
	return invalidationRaw{Proposal: strings.TrimSpace(get("proposal")), IP: strings.TrimSpace(get("ip")), Domain: strings.TrimSpace(get("domain")),
		Email: strings.TrimSpace(get("email")), Postcode: strings.TrimSpace(get("postcode")), Name: strings.TrimSpace(get("name")),
		From: d("from"), To: d("to"), FromTime: strings.TrimSpace(get("from_time")), ToTime: strings.TrimSpace(get("to_time")),
		Reason: strings.TrimSpace(get("reason"))}
}

// values writes the form back as form values, for the confirm step and links.
func (v invalidationRaw) values() url.Values {
	q := url.Values{}
	set := func(k, val string) {
		if val != "" {
			q.Set(k, val)
		}
	}
	set("proposal", v.Proposal)
	set("ip", v.IP)
	set("domain", v.Domain)
	set("email", v.Email)
	set("postcode", v.Postcode)
	set("name", v.Name)
	for name, d := range map[string]StaffDate{"from": v.From, "to": v.To} {
		set(name+"-day", d.Day)
		set(name+"-month", d.Month)
		set(name+"-year", d.Year)
	}
	set("from_time", v.FromTime)
	set("to_time", v.ToTime)
	set("reason", v.Reason)
	return q
}

var clockTime = regexp.MustCompile(`^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$`)

// at returns a date at a time of day typed as HH:MM (UTC) and sec
// seconds, or at the default hour and minute when no time was typed; ok is
// false when either does not read.
func at(d StaffDate, clock string, hour, minute, sec int) (time.Time, bool) {
	if clock != "" {
		m := clockTime.FindStringSubmatch(clock)
		if m == nil || d.Empty() {
			return time.Time{}, false
		}
		// The seconds stay as given: "to 14:30" takes in all of 14:30.
		hour, _ = strconv.Atoi(m[1])
		minute, _ = strconv.Atoi(m[2])
	}
	t, ok := d.Time(hour, minute)
	if ok && !t.IsZero() {
		t = t.Add(time.Duration(sec) * time.Second)
	}
	return t, ok
}

// invalidation turns what was typed into an Invalidation; the errors of
// the fields that do not read, and then of its validation, are in the error.
func (v invalidationRaw) invalidation() (proposal.Invalidation, error) {
	var f apperr.Fields
	inv := proposal.Invalidation{IP: v.IP, Domain: v.Domain, Email: v.Email, Postcode: v.Postcode, Name: v.Name, Reason: v.Reason}
	if v.Proposal != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(v.Proposal, "#"), 10, 64)
		if err != nil || n <= 0 {
			f.Add("proposal", "error.proposals.staff.merge.number")
		}
		inv.ProposalID = n
	}
	var ok bool
	if inv.From, ok = at(v.From, v.FromTime, 0, 0, 0); !ok {
		f.Add("from", "error.petitions.fraud.when")
	}
	// Without a time, "to 3 March" takes in the whole of 3 March.
	if inv.To, ok = at(v.To, v.ToTime, 23, 59, 59); !ok {
		f.Add("to", "error.petitions.fraud.when")
	}
	inv.Normalise()
	mergeFields(&f, inv.Validate())
	return inv, inPageOrder(f.Err(), []string{"proposal", "ip", "domain", "email", "postcode", "name", "from", "from_time", "to", "to_time", "reason"})
}

func (s *Server) fraudPage(r *http.Request, o org.Organisation, p *account.Principal, raw invalidationRaw) (StaffPetitionFraudPage, error) {
	ctx, lang := r.Context(), langOf(r)
	page := StaffPetitionFraudPage{Base: s.orgBase(r, "petitions.fraud.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanEdit: p.Can(o.ID, account.PermEdit), Since: s.Now().Add(-trendWindow)}
	trends, err := s.Store.Trending(ctx, o.ID, page.Since)
	if err != nil {
		return page, err
	}
	for _, t := range trends {
		it := StaffTrendItem{ProposalURL: staffProposalURL(o, t.ProposalID), Title: t.Title, Hour: t.Hour,
			Kind: page.T("petitions.fraud.trend_kind." + t.Kind), Key: t.Key, Count: t.Count, Alert: t.Alert}
		// The invalidation form filled in with this row: the petition, the
		// source and the hour.
		pre := invalidationRaw{Proposal: strconv.FormatInt(t.ProposalID, 10), From: staffDateOf(t.Hour), To: staffDateOf(t.Hour),
			FromTime: t.Hour.UTC().Format("15:04"), ToTime: t.Hour.UTC().Add(59 * time.Minute).Format("15:04")}
		if t.Kind == string(proposal.BlockIP) {
			pre.IP = t.Key
		} else {
			pre.Domain = t.Key
		}
		it.InvalidateURL = fraudURL(o) + "?" + pre.values().Encode() + "#invalidate"
		if t.Alert {
			page.Alerts++
		}
		page.Trends = append(page.Trends, it)
	}
	blocks, err := s.Store.Blocks(ctx, o.ID)
	if err != nil {
		return page, err
	}
	for _, b := range blocks {
		page.Blocks = append(page.Blocks, StaffBlockItem{ID: b.ID, Kind: page.T("petitions.fraud.block_kind." + string(b.Kind)), Value: b.Value,
			Note: b.Note, CreatedAt: b.CreatedAt})
	}
	page.Inv = StaffInvalidationForm{Proposal: raw.Proposal, IP: raw.IP, Domain: raw.Domain, Email: raw.Email, Postcode: raw.Postcode, Name: raw.Name,
		FromTime: raw.FromTime, ToTime: raw.ToTime, Reason: raw.Reason}
	return page, nil
}

// finishFraudPage builds the parts of the page that show errors, once they are known.
func finishFraudPage(page *StaffPetitionFraudPage, raw invalidationRaw, kind string) {
	page.BlockKind = staffChoices(page.Base, "kind", "petitions.fraud.block.kind", "", blockKinds,
		[]string{"petitions.fraud.block_kind.ip", "petitions.fraud.block_kind.domain", "petitions.fraud.block_kind.email"}, kind)
	page.BlockKind.Inline = true
	page.Inv.From = staffDateField(page.Base, "from", "petitions.fraud.invalidate.from", "petitions.fraud.invalidate.from_hint", raw.From)
	page.Inv.To = staffDateField(page.Base, "to", "petitions.fraud.invalidate.to", "petitions.fraud.invalidate.to_hint", raw.To)
}

func (s *Server) petitionFraud(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	// A link from the trending report fills in the invalidation form.
	raw := readInvalidationRaw(r.URL.Query().Get)
	raw.Reason = ""
	page, err := s.fraudPage(r, o, p, raw)
	if err != nil {
		return err
	}
	page.Invalidated = s.sessions.PopString(r.Context(), "petitions_invalidated")
	finishFraudPage(&page, raw, "")
	return s.render(w, r, http.StatusOK, "staff-petition-fraud", page)
}

// fraudError shows the fraud page again with a form's errors and what was typed.
func (s *Server) fraudError(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, err error, raw invalidationRaw, kind string, fill func(*StaffPetitionFraudPage)) error {
	page, perr := s.fraudPage(r, o, p, raw)
	if perr != nil {
		return perr
	}
	showFieldErrors(&page.Base, err)
	fill(&page)
	finishFraudPage(&page, raw, kind)
	return s.render(w, r, http.StatusUnprocessableEntity, "staff-petition-fraud", page)
}

func (s *Server) addPetitionBlock(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	b := proposal.Block{OrgID: o.ID, Kind: proposal.BlockKind(r.PostFormValue("kind")), Value: r.PostFormValue("value"), Note: r.PostFormValue("note"),
		CreatedBy: p.User.ID}
	b.Normalise()
	err := b.Validate()
	if err == nil {
		_, err = s.Store.AddBlock(r.Context(), b, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		if len(apperr.FieldsOf(err)) == 0 {
			err = fieldErr("value", "error.petitions.fraud.block_exists")
		}
		return s.fraudError(w, r, o, p, err, invalidationRaw{}, string(b.Kind), func(pg *StaffPetitionFraudPage) {
			pg.BlockValue, pg.BlockNote = strings.TrimSpace(r.PostFormValue("value")), b.Note
		})
	}
	if err != nil {
		return err
	}
	s.signing.forget(o.ID)
	s.sessions.Put(r.Context(), "flash", "petitions.fraud.block.saved")
	http.Redirect(w, r, fraudURL(o)+"#blocklist", http.StatusSeeOther)
	return nil
}

func (s *Server) removePetitionBlock(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	id := idParam(r.PathValue("id"))
	if id <= 0 {
		return errNotFound
	}
	// The store removes the entry only within the organisation.
	if err := s.Store.RemoveBlock(r.Context(), o.ID, id, p.User.ID); err != nil {
		return err
	}
	s.signing.forget(o.ID)
	s.sessions.Put(r.Context(), "flash", "petitions.fraud.block.removed")
	http.Redirect(w, r, fraudURL(o)+"#blocklist", http.StatusSeeOther)
	return nil
}

// StaffCriterion is one attribute of an invalidation, as the preview lists it.
type StaffCriterion struct{ Label, Value string }

// StaffHiddenField carries a value of the form through the confirm step.
type StaffHiddenField struct{ Name, Value string }

// StaffPetitionInvalidatePage shows how many signatures an invalidation
// would take out, and asks to confirm it.
type StaffPetitionInvalidatePage struct {
	Base
	Org       OrgItem
	Count     int
	Criteria  []StaffCriterion
	Hidden    []StaffHiddenField
	Action    string
	ChangeURL string // the fraud page with the form filled in again
}

// invalidateSignatures previews an invalidation (how many signatures it
// would take out) and, once confirmed, runs it.
func (s *Server) invalidateSignatures(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	raw := readInvalidationRaw(r.PostFormValue)
	inv, err := raw.invalidation()
	if err == nil && inv.ProposalID != 0 {
		if _, perr := s.staffProposal(r, o, inv.ProposalID); apperr.Is(perr, apperr.NotFound) {
			err = fieldErr("proposal", "error.proposals.staff.merge.not_found")
		} else if perr != nil {
			return perr
		}
	}
	confirm := r.PostFormValue("confirm") == "yes"
	var n int
	if err == nil {
		n, err = s.Store.InvalidateSignatures(r.Context(), o.ID, inv, !confirm, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.fraudError(w, r, o, p, err, raw, "", func(*StaffPetitionFraudPage) {})
	}
	if err != nil {
		return err
	}
	if confirm {
		s.sessions.Put(r.Context(), "petitions_invalidated", strconv.Itoa(n))
		http.Redirect(w, r, fraudURL(o)+"#invalidate", http.StatusSeeOther)
		return nil
	}
	page := StaffPetitionInvalidatePage{Base: s.orgBase(r, "petitions.invalidate.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		Count: n, Action: "/staff/" + o.Slug + "/petitions/invalidate"}
	vals := raw.values()
	page.ChangeURL = fraudURL(o) + "?" + vals.Encode() + "#invalidate"
	for _, name := range append([]string{"from-day", "from-month", "from-year", "to-day", "to-month", "to-year"}, invalidationFields...) {
		if v := vals.Get(name); v != "" {
			page.Hidden = append(page.Hidden, StaffHiddenField{Name: name, Value: v})
		}
	}
	add := func(label, value string) {
		if value != "" {
			page.Criteria = append(page.Criteria, StaffCriterion{Label: page.T(label), Value: value})
		}
	}
	if inv.ProposalID != 0 {
		add("petitions.fraud.invalidate.proposal", "#"+strconv.FormatInt(inv.ProposalID, 10))
	} else {
		add("petitions.fraud.invalidate.proposal", page.T("petitions.invalidate.every_petition"))
	}
	add("petitions.fraud.invalidate.ip", inv.IP)
	add("petitions.fraud.invalidate.domain", inv.Domain)
	add("petitions.fraud.invalidate.email", inv.Email)
	add("petitions.fraud.invalidate.postcode", inv.Postcode)
	add("petitions.fraud.invalidate.name", inv.Name)
	if !inv.From.IsZero() {
		add("petitions.fraud.invalidate.from", inv.From.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	if !inv.To.IsZero() {
		add("petitions.fraud.invalidate.to", inv.To.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	add("petitions.fraud.invalidate.reason", inv.Reason)
	return s.render(w, r, http.StatusOK, "staff-petition-invalidate", page)
}

// ---- The postcode lookup ----

// maxAreasBytes bounds an uploaded lookup: every UK postcode with a short
// area code and name is about 60 MB.
const maxAreasBytes = 80 << 20

// StaffPetitionAreasPage shows the postcode lookup and takes a new one.
type StaffPetitionAreasPage struct {
	Base
	Org      OrgItem
	Prefixes int
	Areas    int
	Sample   []proposal.AreaRow
	Example  string
}

// areasExample is the start of a lookup file, shown as a template.
const areasExample = "prefix,code,name\nCF10,W05001280,Cathays\nCF24 4,W05001290,Plasnewydd\nSA1 1AA,W05000987,Castle\nLL,W06000001,Isle of Anglesey\n"

func (s *Server) areasPage(r *http.Request, o org.Organisation) (StaffPetitionAreasPage, error) {
	page := StaffPetitionAreasPage{Base: s.orgBase(r, "petitions.areas.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		Example: areasExample}
	rows, err := s.Store.Areas(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	page.Prefixes = len(rows)
	codes := map[string]bool{}
	for _, a := range rows {
		codes[a.Code] = true
	}
	page.Areas = len(codes)
	page.Sample = rows[:min(len(rows), 10)]
	return page, nil
}

func (s *Server) petitionAreas(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.areasPage(r, o)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff-petition-areas", page)
}

func (s *Server) uploadPetitionAreas(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	fail := func(msg func(b Base) string) error {
		page, err := s.areasPage(r, o)
		if err != nil {
			return err
		}
		page.Errors = append(page.Errors, FieldError{Field: "areas", Msg: msg(page.Base)})
		return s.render(w, r, http.StatusUnprocessableEntity, "staff-petition-areas", page)
	}
	if msg := parseUpload(r); msg != "" {
		id := "error.petitions.areas.required"
		if msg == errUploadTooBig {
			id = "error.petitions.areas.too_big"
		}
		return fail(func(b Base) string { return b.T(id) })
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("areas")
	if err != nil {
		return fail(func(b Base) string { return b.T("error.petitions.areas.required") })
	}
	defer f.Close()
	rows, err := proposal.ParseAreas(io.LimitReader(f, maxAreasBytes))
	if err == nil && len(rows) == 0 {
		err = apperr.New(apperr.Invalid, "error.petitions.areas.empty")
	}
	if err == nil {
		err = s.Store.SetAreas(r.Context(), o.ID, rows, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return fail(func(b Base) string { return areasError(b, err) })
	}
	if err != nil {
		return err
	}
	s.signing.forget(o.ID)
	s.sessions.Put(r.Context(), "flash", "petitions.areas.loaded")
	http.Redirect(w, r, "/staff/"+o.Slug+"/petitions/areas", http.StatusSeeOther)
	return nil
}

// ParseAreas names the line of a mistake in English; these patterns turn
// its messages into the page's language, keeping the line and the value.
var (
	areasLinePrefix = regexp.MustCompile(`^line (\d+): "(.*)" is not a postcode or the start of one$`)
	areasLineCode   = regexp.MustCompile(`^line (\d+): the area needs a code`)
	areasLineTwice  = regexp.MustCompile(`^line (\d+): (.+) appears twice$`)
	areasLine       = regexp.MustCompile(`^(?:line|record on line) (\d+): `)
	areasQuote      = regexp.MustCompile(`^parse error on line (\d+)`)
	areasTooMany    = regexp.MustCompile(`^more than (\d+) rows$`)
)

func areasError(b Base, err error) string {
	msg := apperr.Message(err)
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Order) > 0 {
		msg = ae.Fields[ae.Order[0]]
	}
	if m := areasLinePrefix.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.prefix", "Line", m[1], "Value", m[2])
	}
	if m := areasLineCode.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.code", "Line", m[1])
	}
	if m := areasLineTwice.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.twice", "Line", m[1], "Value", m[2])
	}
	if m := areasQuote.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.quote", "Line", m[1])
	}
	if m := areasLine.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.line", "Line", m[1])
	}
	if m := areasTooMany.FindStringSubmatch(msg); m != nil {
		return b.T("error.petitions.areas.too_many", "Max", m[1])
	}
	return b.T(msg)
}

// forget drops an organisation's cached blocklist and postcode lookup, so
// a change made here applies at once on this instance (other instances
// pick it up when their short-lived copies expire).
func (c *signCaches) forget(orgID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.blocks, orgID)
	delete(c.areas, orgID)
}
