package web

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// MeasureCostsPage lists an organisation's unit costs, in force and past,
// each with its source, and takes a new one.
type MeasureCostsPage struct {
	Base
	Org     OrgItem
	CanEdit bool
	Costs   []CostRow
	Channel SelectField
	From    Field
	Cost    Field
	Source  Field
}

func (s *Server) measureCosts(r *http.Request, o org.Organisation, p *account.Principal) (MeasureCostsPage, []measure.Channel, error) {
	page := MeasureCostsPage{Base: s.orgBase(r, "measures.costs.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		CanEdit: p.Can(o.ID, account.PermEdit)}
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return page, nil, err
	}
	own, err := s.Store.UnitCosts(r.Context(), o.ID)
	if err != nil {
		return page, nil, err
	}
	page.Costs = costRows(page.Base, measure.CostsInForce(own), channels, measure.MonthOf(s.Now()))
	return page, channels, nil
}

// fillCostForm sets the form's fields, refilled from the request after an error.
func (page *MeasureCostsPage) fillCostForm(r *http.Request, channels []measure.Channel) {
	page.Channel = channelSelect(page.Base, "channel", "measures.costs.channel", r.PostFormValue("channel"), channels)
	page.From = newField(page, "from", "measures.costs.from", "measures.costs.from_hint", r.PostFormValue("from"))
	page.Cost = newField(page, "cost", "measures.costs.cost", "measures.costs.cost_hint", r.PostFormValue("cost"))
	page.Source = newField(page, "source", "measures.costs.source", "measures.costs.source_hint", r.PostFormValue("source"))
}

func (s *Server) measureCostsPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, channels, err := s.measureCosts(r, o, p)
	if err != nil {
		return err
	}
	page.fillCostForm(r, channels)
	return s.render(w, r, http.StatusOK, "measures-costs", page)
}

// measureCostSave adds a unit cost, or replaces the one for the same
// channel and month.
func (s *Server) measureCostSave(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return err
	}
	uc, err := readUnitCost(r, o.ID, channels)
	if err == nil {
		err = s.Store.SetUnitCost(r.Context(), uc, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		page, channels, perr := s.measureCosts(r, o, p)
		if perr != nil {
			return perr
		}
		measureFormErrors(&page.Base, err, "cost")
		page.fillCostForm(r, channels)
		return s.render(w, r, http.StatusUnprocessableEntity, "measures-costs", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "measures.costs.saved")
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures/costs", http.StatusSeeOther)
	return nil
}

// readUnitCost reads and checks the unit cost form.
func readUnitCost(r *http.Request, orgID int64, channels []measure.Channel) (measure.UnitCost, error) {
	uc := measure.UnitCost{OrgID: orgID, Channel: strings.TrimSpace(r.PostFormValue("channel")), Source: strings.TrimSpace(r.PostFormValue("source"))}
	var fields apperr.Fields
	if _, ok := channelIndex(channels)[uc.Channel]; !ok {
		fields.Add("channel", "measures.costs.error.channel")
	}
	if from := strings.TrimSpace(r.PostFormValue("from")); from != "" {
		m, err := measure.ParseMonth(from)
		if err != nil || !m.Valid() {
			fields.Add("from", "measures.error.month")
		}
		uc.From = m
	}
	pence, ok := penceFromPounds(r.PostFormValue("cost"))
	if !ok {
		fields.Add("cost", "measures.costs.error.cost")
	}
	uc.Pence = pence
	switch {
	case uc.Source == "":
		fields.Add("source", "measures.costs.error.source")
	case utf8.RuneCountInString(uc.Source) > 300:
		fields.Add("source", "measures.costs.error.source_long")
	}
	return uc, fields.Err()
}

// measureFormErrors puts a validation error in the page's summary; an error with
// no fields is shown against fallback.
func measureFormErrors(b *Base, err error, fallback string) {
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Order) > 0 {
		b.withErrors(ae.Order, ae.Fields)
		return
	}
	b.withErrors([]string{fallback}, map[string]string{fallback: apperr.Message(err)})
}

func (s *Server) measureCostDelete(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	var from measure.Month
	if v := strings.TrimSpace(r.PostFormValue("from")); v != "" {
		m, err := measure.ParseMonth(v)
		if err != nil {
			return apperr.New(apperr.Invalid, "measures.error.month")
		}
		from = m
	}
	if err := s.Store.DeleteUnitCost(r.Context(), o.ID, r.PostFormValue("channel"), from, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "measures.costs.deleted")
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures/costs", http.StatusSeeOther)
	return nil
}

// MeasureChannelsPage lists the channels, built in and the organisation's
// own, and adds one.
type MeasureChannelsPage struct {
	Base
	Org      OrgItem
	CanEdit  bool
	Channels []ChannelItem
	Key      Field
	NameEN   Field
	NameCY   Field
	Digital  string // "yes", "no" or "" as sent
}

// ChannelItem is a channel in the list.
type ChannelItem struct {
	Key, NameEN, NameCY string
	Digital, Own        bool
}

func (s *Server) measureChannels(r *http.Request, o org.Organisation, p *account.Principal) (MeasureChannelsPage, error) {
	page := MeasureChannelsPage{Base: s.orgBase(r, "measures.channels.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		CanEdit: p.Can(o.ID, account.PermEdit)}
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	for _, c := range channels {
		page.Channels = append(page.Channels, ChannelItem{Key: c.Key, NameEN: c.NameEN, NameCY: c.NameCY, Digital: c.Digital, Own: c.OrgID != 0})
	}
	page.Key = newField(page, "key", "measures.channels.key", "measures.channels.key_hint", r.PostFormValue("key"))
	page.NameEN = newField(page, "name_en", "measures.channels.name_en", "", r.PostFormValue("name_en"))
	page.NameCY = newField(page, "name_cy", "measures.channels.name_cy", "measures.channels.name_cy_hint", r.PostFormValue("name_cy"))
	page.Digital = r.PostFormValue("digital")
	return page, nil
}

func (s *Server) measureChannelsPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.measureChannels(r, o, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "measures-channels", page)
}

// channelKey is what a channel's key may be: it appears in CSV files and
// API records, so it is plain.
var channelKey = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

func (s *Server) measureChannelAdd(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c := measure.Channel{OrgID: o.ID, Key: strings.TrimSpace(r.PostFormValue("key")), NameEN: strings.TrimSpace(r.PostFormValue("name_en")),
		NameCY: strings.TrimSpace(r.PostFormValue("name_cy")), Digital: r.PostFormValue("digital") == "yes"}
	var fields apperr.Fields
	fields.Check(channelKey.MatchString(c.Key), "key", "measures.channels.error.key")
	fields.Check(c.NameEN != "" && utf8.RuneCountInString(c.NameEN) <= 60, "name_en", "measures.channels.error.name")
	fields.Check(utf8.RuneCountInString(c.NameCY) <= 60, "name_cy", "measures.channels.error.name_cy")
	d := r.PostFormValue("digital")
	fields.Check(d == "yes" || d == "no", "digital", "measures.channels.error.digital")
	err := fields.Err()
	if err == nil {
		_, err = s.Store.AddMeasureChannel(r.Context(), c, p.User.ID)
		if apperr.Is(err, apperr.Conflict) {
			err = apperr.Wrap(apperr.Invalid, err, "measures.channels.error.taken")
		}
	}
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.measureChannels(r, o, p)
		if perr != nil {
			return perr
		}
		measureFormErrors(&page.Base, err, "key")
		return s.render(w, r, http.StatusUnprocessableEntity, "measures-channels", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "measures.channels.added")
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures/channels", http.StatusSeeOther)
	return nil
}
