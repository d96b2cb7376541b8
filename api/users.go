package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/auth"
)

type userInput struct {
	Username    string       `json:"username"`
	DisplayName string       `json:"display_name"`
	Role        account.Role `json:"role"`
	ScopeID     *int64       `json:"scope_id"`
	Language    string       `json:"language"`
	Password    string       `json:"password"`
}

type userPatch struct {
	DisplayName *string       `json:"display_name"`
	Role        *account.Role `json:"role"`
	ScopeID     *int64        `json:"scope_id"`
	Language    *string       `json:"language"`
	Active      *bool         `json:"active"`
	Password    *string       `json:"password"`
	Version     *int          `json:"version"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadUsers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := account.UserFilter{Under: c.Scope.Under()}
	if role := r.URL.Query().Get("role"); role != "" {
		rr := account.Role(role)
		if !rr.Valid() {
			s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "role", Message: "role must be one of admin, manager, supervisor, mentor, facility"}))
			return
		}
		f.Role = &rr
	}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindUsers(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// loadUser fetches the {id} user; a user is in the caller's area when their scope
// place is, or (for a mentor) when the store's scoped list includes them.
func (s *Server) loadUser(w http.ResponseWriter, r *http.Request, p account.Permission) (*account.User, bool) {
	c := caller(r)
	if err := auth.Check(c, p, ""); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	u, err := s.Store.FindUserByID(ctx(r), id)
	if err == nil && !c.Scope.All {
		list, _, ferr := s.Store.FindUsers(ctx(r), account.UserFilter{ID: &id, Under: c.Scope.Under()})
		if ferr != nil {
			err = ferr
		} else if len(list) == 0 {
			err = mesh.Errorf(mesh.EFORBIDDEN, "this user is outside your area")
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return u, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.loadUser(w, r, account.ReadUsers); ok {
		writeJSON(w, http.StatusOK, u)
	}
}

// checkScopePlace checks a user being given scope place id lies in the caller's area.
func (s *Server) checkScopePlace(r *http.Request, id *int64) error {
	c := caller(r)
	if id == nil || *id == 0 {
		if !c.Scope.All {
			return mesh.Errorf(mesh.EFORBIDDEN, "only an administrator of the whole database may create users without a scope")
		}
		return nil
	}
	return s.checkFacility(r, account.WriteUsers, *id)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteUsers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var in userInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkScopePlace(r, in.ScopeID); err != nil {
		s.fail(w, r, err)
		return
	}
	u := &account.User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, ScopeID: in.ScopeID, Language: in.Language}
	var errs []mesh.FieldError
	if err := u.Validate(); err != nil {
		errs = mesh.ErrorFields(err)
	}
	hash, herr := account.HashPassword(in.Password)
	if herr != nil {
		errs = append(errs, mesh.FieldError{Code: "TOO_SHORT", Field: "password", Message: herr.Error()})
	}
	if len(errs) > 0 {
		s.fail(w, r, mesh.Invalid(errs...))
		return
	}
	u.PasswordHash = hash
	if err := s.Store.CreateUser(ctx(r), u); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.loadUser(w, r, account.WriteUsers)
	if !ok {
		return
	}
	var in userPatch
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ScopeID != nil {
		if err := s.checkScopePlace(r, in.ScopeID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	upd := account.UserUpdate{DisplayName: in.DisplayName, Role: in.Role, ScopeID: in.ScopeID, Language: in.Language, Active: in.Active, Version: in.Version}
	if in.Password != nil {
		hash, err := account.HashPassword(*in.Password)
		if err != nil {
			s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "TOO_SHORT", Field: "password", Message: err.Error()}))
			return
		}
		upd.PasswordHash = &hash
	}
	defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
	up, err := s.Store.UpdateUser(ctx(r), u.ID, upd)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, up)
}
