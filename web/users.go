package web

import (
	"context"
	"net/http"
	"strconv"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/place"
)

// UsersPage lists the accounts in the caller's area (read-only unless admin).
type UsersPage struct {
	Page
	Role        string
	RoleOptions []Option
	Rows        []UserRow
	Total       int
	CanWrite    bool
}

// UserRow is a user with the name of their scope place.
type UserRow struct {
	User  *account.User
	Scope string
}

// UserFormPage is the new-user and edit-user form.
type UserFormPage struct {
	Page
	Account         *account.User // the user being edited; nil for a new one
	In              UserInput
	RoleOptions     []Option
	ScopeOptions    []Option
	LanguageOptions []Option
	Form            Form
}

// UserInput is the form's values as typed (never the password).
type UserInput struct {
	Username, DisplayName, Role, ScopeID, Language, Version string
	Active                                                  bool
}

var userFields = fieldSet("username", "display_name", "role", "scope_id", "language", "password", "active")

func roleNames() []string {
	out := make([]string, len(account.Roles))
	for i, r := range account.Roles {
		out[i] = string(r)
	}
	return out
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadUsers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &UsersPage{Page: s.page(w, r, "users.title"), Role: r.URL.Query().Get("role"), CanWrite: account.Can(c.User, account.WriteUsers)}
	p.RoleOptions = enumOptions(p.Lang, "role.", roleNames(), "users.all_roles")
	f := account.UserFilter{Under: c.Scope.Under()}
	if role := account.Role(p.Role); role.Valid() {
		f.Role = &role
	} else {
		p.Role = ""
	}
	list, total, err := s.Store.FindUsers(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Total = total
	names := s.nameCache(r.Context())
	for _, u := range list {
		p.Rows = append(p.Rows, UserRow{User: u, Scope: names.place(derefID(u.ScopeID))})
	}
	s.render(w, r, http.StatusOK, "users", p)
}

// loadUser fetches the {id} user; someone outside the caller's area is 403, by the
// same rule as the API (the store's scoped list must include them).
func (s *Server) loadUser(r *http.Request, p account.Permission) (*account.User, error) {
	c := caller(r)
	if err := auth.Check(c, p, ""); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByID(r.Context(), id)
	if err != nil || c.Scope.All {
		return u, err
	}
	list, _, err := s.Store.FindUsers(r.Context(), account.UserFilter{ID: &id, Under: c.Scope.Under()})
	if err == nil && len(list) == 0 {
		err = mesh.Errorf(mesh.EFORBIDDEN, "this user is outside your area")
	}
	return u, err
}

func (s *Server) newUserForm(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteUsers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.userForm(w, r, http.StatusOK, nil, UserInput{Role: string(account.Mentor), Active: true}, Form{})
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, u *account.User, in UserInput, f Form) {
	title := "user.new_title"
	if u != nil {
		title = "user.edit_title"
	}
	p := &UserFormPage{Page: s.page(w, r, title), Account: u, In: in, Form: f}
	p.RoleOptions = enumOptions(p.Lang, "role.", roleNames(), "")
	p.LanguageOptions = []Option{{Value: "", Label: tr(p.Lang, "user.language_auto")}}
	for _, l := range i18n.Languages {
		p.LanguageOptions = append(p.LanguageOptions, Option{Value: l, Label: i18n.Name(l)})
	}
	all, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Under: caller(r).Scope.Under()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.ScopeOptions = []Option{{Value: "", Label: tr(p.Lang, "user.no_scope")}}
	for _, row := range placeTree(all) {
		p.ScopeOptions = append(p.ScopeOptions, Option{Value: strconv.FormatInt(row.Place.ID, 10),
			Label: indent(row.Depth) + row.Place.Name + " (" + tr(p.Lang, "type."+string(row.Place.Type)) + ")"})
	}
	s.render(w, r, status, "user_form", p)
}

func userInput(r *http.Request) UserInput {
	return UserInput{Username: formValue(r, "username"), DisplayName: formValue(r, "display_name"), Role: formValue(r, "role"),
		ScopeID: formValue(r, "scope_id"), Language: formValue(r, "language"), Version: formValue(r, "version"),
		Active: r.PostFormValue("active") != ""}
}

func (s *Server) userFormError(w http.ResponseWriter, r *http.Request, u *account.User, in UserInput, err error) {
	f, status, ok := formError(language(w, r), err, userFields)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.userForm(w, r, status, u, in, f)
}

// checkScopePlace checks a user being given scope place id lies in the caller's area;
// only a whole-database admin may make users without a scope place (the API's rule).
func (s *Server) checkScopePlace(r *http.Request, id *int64) error {
	if id == nil {
		if !caller(r).Scope.All {
			return mesh.Errorf(mesh.EFORBIDDEN, "only an administrator of the whole database may create users without a scope")
		}
		return nil
	}
	return s.checkFacility(r, account.WriteUsers, *id)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteUsers, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := userInput(r)
	var errs []mesh.FieldError
	u := &account.User{Username: in.Username, DisplayName: in.DisplayName, Role: account.Role(in.Role),
		ScopeID: optionalID(in.ScopeID, "scope_id", &errs), Language: in.Language}
	if err = s.checkScopePlace(r, u.ScopeID); err == nil {
		u.Normalize()
		hash, herr := account.HashPassword(r.PostFormValue("password"))
		if herr != nil {
			errs = append(errs, mesh.FieldError{Code: "TOO_SHORT", Field: "password", Message: herr.Error()})
		}
		u.PasswordHash = hash
		err = joinInvalid(errs, u.Validate())
	}
	if err == nil {
		err = s.Store.CreateUser(r.Context(), u)
	}
	if err != nil {
		s.userFormError(w, r, nil, in, err)
		return
	}
	redirect(w, r, withNotice("/users", "created"))
}

func (s *Server) editUserForm(w http.ResponseWriter, r *http.Request) {
	u, err := s.loadUser(r, account.WriteUsers)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := UserInput{Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), Language: u.Language,
		Version: strconv.Itoa(u.Version), Active: u.Active}
	if u.ScopeID != nil {
		in.ScopeID = strconv.FormatInt(*u.ScopeID, 10)
	}
	s.userForm(w, r, http.StatusOK, u, in, Form{})
}

// updateUser edits an account: details, deactivation, and a new password when one is
// typed (the store then ends the user's sessions).
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.loadUser(r, account.WriteUsers)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := userInput(r)
	in.Username = u.Username
	var errs []mesh.FieldError
	role := account.Role(in.Role)
	upd := account.UserUpdate{DisplayName: &in.DisplayName, Role: &role, Language: &in.Language, Active: &in.Active, Version: versionField(r)}
	scope := optionalID(in.ScopeID, "scope_id", &errs)
	if scope == nil {
		scope = new(int64) // 0 clears the scope place
	}
	upd.ScopeID = scope
	if *scope != derefID(u.ScopeID) {
		if *scope == 0 {
			err = s.checkScopePlace(r, nil)
		} else {
			err = s.checkScopePlace(r, scope)
		}
	}
	if pw := r.PostFormValue("password"); pw != "" && err == nil {
		hash, herr := account.HashPassword(pw)
		if herr != nil {
			errs = append(errs, mesh.FieldError{Code: "TOO_SHORT", Field: "password", Message: herr.Error()})
		}
		upd.PasswordHash = &hash
	}
	if err == nil && len(errs) > 0 {
		err = mesh.Invalid(errs...)
	}
	if err == nil {
		defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
		_, err = s.Store.UpdateUser(r.Context(), u.ID, upd)
	}
	if err != nil {
		s.userFormError(w, r, u, in, err)
		return
	}
	redirect(w, r, withNotice("/users", "saved"))
}

// setUserLanguage stores a user's own choice of language (from the switcher).
func (s *Server) setUserLanguage(r *http.Request, id int64, lang string) error {
	defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
	_, err := s.Store.UpdateUser(r.Context(), id, account.UserUpdate{Language: &lang})
	return err
}

// names looks up place and user names by id, once each, for lists that show them.
type names struct {
	ctx    context.Context
	store  Store
	places map[int64]string
	users  map[int64]string
}

func (s *Server) nameCache(ctx context.Context) *names {
	return &names{ctx: ctx, store: s.Store, places: map[int64]string{}, users: map[int64]string{}}
}

func (n *names) place(id int64) string {
	if id == 0 {
		return ""
	}
	if v, ok := n.places[id]; ok {
		return v
	}
	if o, err := n.store.FindOrgUnitByID(n.ctx, id); err == nil {
		n.places[id] = o.Name
	}
	return n.places[id]
}

func (n *names) user(id int64) string {
	if v, ok := n.users[id]; ok {
		return v
	}
	if u, err := n.store.FindUserByID(n.ctx, id); err == nil {
		n.users[id] = u.Username
		if u.DisplayName != "" {
			n.users[id] = u.DisplayName
		}
	}
	return n.users[id]
}

func indent(depth int) string {
	out := ""
	for range depth {
		out += "\u00a0\u00a0"
	}
	return out
}
