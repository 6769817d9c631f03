package web

import (
	"errors"
	"net/http"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/outbox"
)

// staffHandler serves a staff route for an organisation the caller may act in.
type staffHandler func(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error

// staff registers a staff route: it loads the organisation and checks the
// permission before the handler runs, so no staff handler can forget to.
func (s *Server) staff(mux *http.ServeMux, method, pattern string, perm account.Permission, fn staffHandler) {
	s.staffRoutes = append(s.staffRoutes, staffRoute{Method: method, Pattern: pattern, Perm: perm})
	mux.Handle(method+" "+pattern, s.h(func(w http.ResponseWriter, r *http.Request) error {
		p, err := requireUser(r)
		if err != nil {
			return err
		}
		o, err := s.orgFromPath(r)
		if apperr.Is(err, apperr.NotFound) && !p.IsStaff() {
			return apperr.New(apperr.Forbidden, "error.forbidden") // do not reveal which organisations exist to non-staff
		}
		if err != nil {
			return err
		}
		if err := p.Authorize(o.ID, perm); err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		return fn(w, r, o, p)
	}))
}

// StaffHomePage lists the organisations the staff member works for.
type StaffHomePage struct {
	Base
	Orgs []StaffOrgItem
}

// StaffOrgItem is an organisation with the viewer's role there.
type StaffOrgItem struct {
	Slug string
	Name string
	Role string
}

func (s *Server) staffHome(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if !p.IsStaff() {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	page := StaffHomePage{Base: s.base(r, "staff.title")}
	if p.User.PlatformAdmin {
		orgs, err := s.Store.Orgs(r.Context(), "", 1000)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			page.Orgs = append(page.Orgs, StaffOrgItem{Slug: o.Slug, Name: o.Name(page.Lang), Role: page.T("role.platform_admin")})
		}
	} else {
		for _, m := range p.Memberships {
			o, err := s.Store.OrgByID(r.Context(), m.OrgID)
			if err != nil {
				return err
			}
			page.Orgs = append(page.Orgs, StaffOrgItem{Slug: o.Slug, Name: o.Name(page.Lang), Role: page.T("role." + string(m.Role))})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "staff", page)
}

// StaffOrgPage is an organisation's staff dashboard.
type StaffOrgPage struct {
	Base
	Org         OrgItem
	Role        string
	ManageStaff bool
	CanEdit     bool
	CanModerate bool // links to the petition fraud controls
	CanAnalyse  bool // links to the measurement dashboard
	Moderation  int  // open items in the moderation queue, for moderators
	Followers   int
	Subject     string // the update form, refilled after an error
	Body        string
}

func (s *Server) staffOrgPage(r *http.Request, o org.Organisation, p *account.Principal) (StaffOrgPage, error) {
	page := StaffOrgPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		ManageStaff: p.Can(o.ID, account.PermManageStaff), CanEdit: p.Can(o.ID, account.PermEdit),
		CanModerate: p.Can(o.ID, account.PermModerate), CanAnalyse: p.Can(o.ID, account.PermAnalyse)}
	page.Title = page.Org.Name
	if role, ok := p.RoleIn(o.ID); ok {
		page.Role = page.T("role." + string(role))
	} else {
		page.Role = page.T("role.platform_admin")
	}
	if page.CanModerate {
		counts, err := s.Store.ModerationCounts(r.Context(), o.ID)
		if err != nil {
			return page, err
		}
		page.Moderation = counts[""]
	}
	var err error
	page.Followers, err = s.Store.FollowerCount(r.Context(), "org", o.ID)
	return page, err
}

func (s *Server) staffOrg(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.staffOrgPage(r, o, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff-org", page)
}

// sendUpdate emails an update to the organisation's followers, through
// the outbox, each with an unsubscribe link.
func (s *Server) sendUpdate(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ev := outbox.Event{TargetKind: "org", TargetID: o.ID, Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"),
		URL: "/organisations/" + o.Slug}
	if _, err := s.Store.PublishEvent(r.Context(), ev, p.User.ID); apperr.Is(err, apperr.Invalid) {
		page, perr := s.staffOrgPage(r, o, p)
		if perr != nil {
			return perr
		}
		page.Subject, page.Body = ev.Subject, ev.Body
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff-org", page)
	} else if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "update.sent")
	http.Redirect(w, r, "/staff/"+o.Slug, http.StatusSeeOther)
	return nil
}

// PeoplePage lets an organisation admin manage staff.
type PeoplePage struct {
	Base
	Org    OrgItem
	People []Person
	Roles  []RoleOption
	Email  string // the add form, refilled after an error
	Role   string
	SelfID int64
}

// Person is a staff member in the list.
type Person struct {
	ID    int64
	Email string
	Name  string
	Role  string
}

// RoleOption is a role in a form.
type RoleOption struct {
	Value string
	Label string
	Hint  string
}

func (s *Server) people(r *http.Request, o org.Organisation, p *account.Principal) (PeoplePage, error) {
	page := PeoplePage{Base: s.orgBase(r, "people.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, SelfID: p.User.ID}
	staff, err := s.Store.Staff(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	for _, m := range staff {
		page.People = append(page.People, Person{ID: m.User.ID, Email: m.User.Email, Name: m.User.DisplayName, Role: string(m.Role)})
	}
	for _, role := range account.Roles {
		page.Roles = append(page.Roles, RoleOption{Value: string(role), Label: page.T("role." + string(role)), Hint: page.T("role." + string(role) + ".hint")})
	}
	return page, nil
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.people(r, o, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "people", page)
}

func (s *Server) peopleAdd(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	email, roleName := r.PostFormValue("email"), r.PostFormValue("role")
	var fields apperr.Fields
	if _, err := account.NormaliseEmail(email); err != nil {
		fields.Add("email", apperr.FieldsOf(err)["email"])
	}
	role, err := account.ParseRole(roleName)
	if err != nil {
		fields.Add("role", "error.role.unknown")
	}
	if err := fields.Err(); err != nil {
		return s.peopleError(w, r, o, p, email, roleName, err)
	}
	if _, err := s.Store.AddStaff(r.Context(), o.ID, email, role, p.User.ID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return s.peopleError(w, r, o, p, email, roleName, err)
		}
		return err
	}
	s.sessions.Put(r.Context(), "flash", "people.added")
	http.Redirect(w, r, "/staff/"+o.Slug+"/people", http.StatusSeeOther)
	return nil
}

func (s *Server) peopleError(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, email, role string, err error) error {
	page, perr := s.people(r, o, p)
	if perr != nil {
		return perr
	}
	page.Email, page.Role = email, role
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Order) > 0 {
		page.withErrors(ae.Order, ae.Fields)
	} else {
		page.withErrors([]string{"email"}, map[string]string{"email": apperr.Message(err)})
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "people", page)
}

func userFromPath(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "error.404.body")
	}
	return id, nil
}

func (s *Server) peopleRole(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	id, err := userFromPath(r)
	if err != nil {
		return err
	}
	role, err := account.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return s.peopleError(w, r, o, p, "", "", err)
	}
	if err := s.Store.SetRole(r.Context(), o.ID, id, role, p.User.ID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return s.peopleError(w, r, o, p, "", "", err)
		}
		return err
	}
	s.sessions.Put(r.Context(), "flash", "people.role_changed")
	http.Redirect(w, r, "/staff/"+o.Slug+"/people", http.StatusSeeOther)
	return nil
}

func (s *Server) peopleRemove(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	id, err := userFromPath(r)
	if err != nil {
		return err
	}
	if err := s.Store.RemoveStaff(r.Context(), o.ID, id, p.User.ID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return s.peopleError(w, r, o, p, "", "", err)
		}
		return err
	}
	s.sessions.Put(r.Context(), "flash", "people.removed")
	http.Redirect(w, r, "/staff/"+o.Slug+"/people", http.StatusSeeOther)
	return nil
}
