package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/importer"
	"mesh/sqlstore"
)

// ImportStore is what the bulk import page writes through (sqlstore.DB).
type ImportStore interface {
	ImportPlaces(ctx context.Context, rows []importer.PlaceRow, opt sqlstore.ImportOptions) (sqlstore.ImportReport, error)
	ImportHealthWorkers(ctx context.Context, rows []importer.WorkerRow, opt sqlstore.ImportOptions) (sqlstore.ImportReport, error)
	ImportUsers(ctx context.Context, rows []importer.UserRow, opt sqlstore.ImportUsersOptions) (sqlstore.ImportReport, error)
	// A checked file waits in the database for its confirmation (any server may
	// answer it); taking it deletes it.
	PutPendingImport(ctx context.Context, p *sqlstore.PendingImport) (string, error)
	TakePendingImport(ctx context.Context, userID int64, token string) (*sqlstore.PendingImport, error)
}

// MaxImportUpload bounds a file uploaded to the import page; the country's facility
// list is well under 1 MB. It is the store's limit of a pending import.
const MaxImportUpload = sqlstore.MaxPendingImport

// importKinds are the tables the page imports, each with the permission it needs.
var importKinds = []struct {
	Kind string
	Perm account.Permission
}{{"places", account.WritePlaces}, {"health-workers", account.WriteWorkers}, {"users", account.WriteUsers}}

func importPerm(kind string) (account.Permission, bool) {
	for _, k := range importKinds {
		if k.Kind == kind {
			return k.Perm, true
		}
	}
	return "", false
}

// importRoutes registers the bulk import page: upload, report, confirm.
func (s *Server) importRoutes(mux *http.ServeMux) {
	// The upload is a multipart body up to the file limit plus its few fields.
	auth.AllowUpload("/import", MaxImportUpload+64<<10)
	mux.HandleFunc("GET /import", s.importForm)
	mux.HandleFunc("POST /import", s.importUpload)
	mux.HandleFunc("POST /import/confirm", s.importConfirm)
}

// ImportPage is the upload form, then the validation report with the confirm
// buttons, then the result.
type ImportPage struct {
	Page
	Kinds    []string // the tables the caller may import
	Kind     string
	FileName string
	Error    string // a problem with the upload itself, in the page language
	// The report of a checked file (Checked) or of an import (Done).
	Checked, Done bool
	Report        sqlstore.ImportReport
	Problems      []ImportProblem
	BadRows       int
	Token         string
	Passwords     []sqlstore.NewPassword // the new users' initial passwords, shown once
}

// ImportProblem is one line of the report.
type ImportProblem struct {
	Row     int
	Column  string
	Message string
}

// CanImportAll is true when no row has a problem.
func (p *ImportPage) CanImportAll() bool { return len(p.Problems) == 0 }

// CanImportValid is true when some rows have problems and others do not.
func (p *ImportPage) CanImportValid() bool {
	return len(p.Problems) > 0 && p.Report.Created+p.Report.Updated+p.Report.Unchanged > 0
}

// importKindsFor lists the tables c may import; none is a 403.
func importKindsFor(c *auth.Caller) ([]string, error) {
	var kinds []string
	for _, k := range importKinds {
		if auth.Check(c, k.Perm, "") == nil {
			kinds = append(kinds, k.Kind)
		}
	}
	if len(kinds) == 0 {
		if err := auth.Check(c, account.WritePlaces, ""); err != nil {
			return nil, err
		}
	}
	return kinds, nil
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) (*ImportPage, ImportStore, bool) {
	kinds, err := importKindsFor(caller(r))
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	st, ok := s.Store.(ImportStore)
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store imports nothing"))
		return nil, nil, false
	}
	return &ImportPage{Page: s.page(w, r, "import.title"), Kinds: kinds}, st, true
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	p, _, ok := s.importPage(w, r)
	if !ok {
		return
	}
	p.Kind = p.Kinds[0]
	s.render(w, r, http.StatusOK, "import", p)
}

// importUpload reads the file, checks every row without saving (a dry run that
// imports valid rows, so the report counts what each choice would do) and keeps the
// file for the confirm step.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	p, st, ok := s.importPage(w, r)
	if !ok {
		return
	}
	if r.ContentLength > MaxImportUpload+64<<10 {
		w.Header().Set("Connection", "close")
		s.importRefuse(w, r, p, http.StatusRequestEntityTooLarge, i18n.T(p.Lang, "import.err.too_large", MaxImportUpload>>20))
		return
	}
	kind, name, data, err := readImportUpload(r)
	p.Kind, p.FileName = kind, name
	switch {
	case errors.Is(err, errTooLarge):
		w.Header().Set("Connection", "close")
		s.importRefuse(w, r, p, http.StatusRequestEntityTooLarge, i18n.T(p.Lang, "import.err.too_large", MaxImportUpload>>20))
		return
	case err != nil:
		s.importRefuse(w, r, p, http.StatusBadRequest, i18n.T(p.Lang, "import.err.no_file"))
		return
	}
	if !slices.Contains(p.Kinds, kind) {
		if _, known := importPerm(kind); known {
			s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "your role may not import %s", kind))
			return
		}
		s.importRefuse(w, r, p, http.StatusBadRequest, i18n.T(p.Lang, "import.err.kind"))
		return
	}
	rep, rowErrs, err := s.runImport(r, st, kind, name, data, sqlstore.ImportOptions{DryRun: true, ValidRows: true}, nil)
	if err != nil {
		if status, msg, ok := importFileError(p.Lang, err); ok {
			s.importRefuse(w, r, p, status, msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	p.Checked, p.Report = true, rep
	p.setProblems(rowErrs)
	if p.CanImportAll() || p.CanImportValid() {
		// Kept in the database, not this server's memory: the confirmation may reach
		// another server behind the load balancer, or this one after a restart. The
		// contents are never logged; the import itself is audited.
		p.Token, err = st.PutPendingImport(r.Context(), &sqlstore.PendingImport{UserID: caller(r).User.ID, Kind: kind, FileName: name, Data: data})
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "import", p)
}

// importConfirm imports the kept file: all rows (refused if any has a problem now)
// or the valid rows only.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request) {
	p, st, ok := s.importPage(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	// A POST: the store writes (and so takes) on the primary, never a read replica.
	up, err := st.TakePendingImport(r.Context(), caller(r).User.ID, formValue(r, "token"))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		s.importRefuse(w, r, p, http.StatusBadRequest, i18n.T(p.Lang, "import.err.expired"))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Kind, p.FileName = up.Kind, up.FileName
	if !slices.Contains(p.Kinds, up.Kind) {
		s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "your role may not import %s", up.Kind))
		return
	}
	opt := sqlstore.ImportOptions{ValidRows: formValue(r, "rows") == "valid"}
	var passwords []sqlstore.NewPassword
	rep, rowErrs, err := s.runImport(r, st, up.Kind, up.FileName, up.Data, opt, func(pw []sqlstore.NewPassword) error {
		passwords = pw
		return nil
	})
	if err != nil {
		if fields := mesh.ErrorFields(err); mesh.ErrorCode(err) == mesh.EINVALID && len(fields) > 0 {
			// Importing all rows, and a row has a problem (perhaps new since the check).
			p.Checked = true
			for _, f := range fields {
				p.Problems = append(p.Problems, ImportProblem{Column: f.Field, Message: i18n.FieldMessage(p.Lang, f)})
			}
			s.render(w, r, http.StatusUnprocessableEntity, "import", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	if up.Kind == "users" && s.Auth != nil {
		s.Auth.ForgetAll() // roles and areas changed: hold at once
	}
	p.Done, p.Report, p.Passwords = true, rep, passwords
	p.setProblems(rowErrs)
	// The page shows passwords once: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "import", p)
}

// runImport parses data as kind and imports it with opt, every row's place checked
// against the caller's area. It returns the rows left out (by the parser or the store).
func (s *Server) runImport(r *http.Request, st ImportStore, kind, name string, data []byte, opt sqlstore.ImportOptions,
	save func([]sqlstore.NewPassword) error) (sqlstore.ImportReport, []importer.RowError, error) {
	t, err := importer.Read(name, bytes.NewReader(data))
	if err != nil {
		return sqlstore.ImportReport{}, nil, err
	}
	c := caller(r)
	perm, _ := importPerm(kind)
	opt.Allow = func(path string) error {
		if path == "" && !c.Scope.All {
			// A country, a national account: only for callers who see the whole country.
			return mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
		}
		return auth.Check(c, perm, path)
	}
	var rep sqlstore.ImportReport
	var rowErrs []importer.RowError
	ctx := r.Context()
	// The reader's problems are skipped by the store and reported with its own.
	known := func(errs []importer.RowError) error {
		opt.Known = errs
		return parseProblems(errs, opt)
	}
	switch kind {
	case "places":
		var rows []importer.PlaceRow
		rows, rowErrs = importer.Places(t)
		if err = known(rowErrs); err == nil {
			rep, err = st.ImportPlaces(ctx, rows, opt)
		}
	case "health-workers":
		var rows []importer.WorkerRow
		rows, rowErrs = importer.Workers(t)
		if err = known(rowErrs); err == nil {
			rep, err = st.ImportHealthWorkers(ctx, rows, opt)
		}
	case "users":
		var rows []importer.UserRow
		rows, rowErrs = importer.Users(t)
		if err = known(rowErrs); err == nil {
			rep, err = st.ImportUsers(ctx, rows,
				sqlstore.ImportUsersOptions{ImportOptions: opt, SavePasswords: save})
		}
	}
	if err != nil {
		return rep, nil, err
	}
	return rep, rep.Rejected, nil
}

// parseProblems is the error for problems found while reading the file: always
// when they concern the header, and unless valid rows were asked for otherwise.
func parseProblems(errs []importer.RowError, opt sqlstore.ImportOptions) error {
	if len(errs) > 0 && (!opt.ValidRows || importer.HeaderOnly(errs)) {
		return importer.Invalid(errs)
	}
	return nil
}

// setProblems lists rowErrs in row order, each message in the page language.
func (p *ImportPage) setProblems(rowErrs []importer.RowError) {
	if len(rowErrs) == 0 {
		return
	}
	sorted := append([]importer.RowError(nil), rowErrs...)
	slices.SortStableFunc(sorted, func(a, b importer.RowError) int { return a.Row - b.Row })
	for _, e := range sorted {
		fe := mesh.FieldError{Code: e.Code, Field: e.Column, Message: e.Message, Rule: e.Rule, Args: e.Args}
		p.Problems = append(p.Problems, ImportProblem{Row: e.Row, Column: e.Column, Message: i18n.FieldMessage(p.Lang, fe)})
	}
	p.BadRows = len(importer.Bad(rowErrs))
}

// importFileError turns a file that cannot be read as a table (or whose header is
// wrong) into the page's message and status.
func importFileError(lang string, err error) (int, string, bool) {
	switch mesh.ErrorCode(err) {
	case mesh.ETOOLARGE:
		return http.StatusRequestEntityTooLarge, i18n.T(lang, "import.err.too_large", MaxImportUpload>>20), true
	case mesh.EINVALID:
		var msg string
		for i, f := range mesh.ErrorFields(err) {
			if i > 0 {
				msg += "; "
			}
			msg += f.Field + ": " + i18n.FieldMessage(lang, f)
		}
		if msg == "" {
			msg = i18n.ErrorMessage(lang, mesh.EINVALID, mesh.ErrorMessage(err))
		}
		return http.StatusUnprocessableEntity, msg, true
	}
	return 0, "", false
}

func (s *Server) importRefuse(w http.ResponseWriter, r *http.Request, p *ImportPage, status int, msg string) {
	if p.Kind == "" && len(p.Kinds) > 0 {
		p.Kind = p.Kinds[0]
	}
	p.Error = msg
	s.render(w, r, status, "import", p)
}

var errTooLarge = errors.New("upload too large")

// readImportUpload streams the multipart form: the "kind" field and the "file" part
// (at most MaxImportUpload bytes), without spooling to disk.
func readImportUpload(r *http.Request) (kind, name string, data []byte, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", nil, err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return kind, name, nil, tooLarge(err)
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return kind, name, nil, tooLarge(err)
			}
			kind = string(b)
		case "file":
			name = part.FileName()
			if data, err = readLimited(part); err != nil {
				return kind, name, nil, err
			}
		}
		part.Close()
	}
	if name == "" || len(data) == 0 {
		return kind, name, nil, errors.New("no file")
	}
	return kind, name, data, nil
}

func readLimited(part *multipart.Part) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(part, MaxImportUpload+1))
	if err != nil {
		return nil, tooLarge(err)
	}
	if len(b) > MaxImportUpload {
		return nil, errTooLarge
	}
	return b, nil
}

func tooLarge(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errTooLarge
	}
	return err
}
