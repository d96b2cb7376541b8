// Package routescan lists the HTTP routes a package registers, read from its source,
// so the authorization matrix tests fail when a route is added without a row.
package routescan

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Registered returns the patterns of every mux.HandleFunc("…") and mux.Handle("…") in
// the non-test Go files of dir, sorted. A pattern that is not a string literal cannot
// be checked, so it is an error.
func Registered(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	var bad []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "mux" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				bad = append(bad, fset.Position(call.Pos()).String())
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			out = append(out, p)
			return true
		})
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("routes registered with a non-literal pattern cannot be checked by the matrix: %s", strings.Join(bad, ", "))
	}
	sort.Strings(out)
	return out, nil
}

// Compare checks a matrix's rows against the routes dir registers: missing are routes
// with no row, stale are rows that match no route.
func Compare(dir string, rows []string) (missing, stale []string, err error) {
	registered, err := Registered(dir)
	if err != nil {
		return nil, nil, err
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r] = true
	}
	known := map[string]bool{}
	for _, p := range registered {
		known[p] = true
		if !listed[p] {
			missing = append(missing, p)
		}
	}
	for _, r := range rows {
		if !known[r] {
			stale = append(stale, r)
		}
	}
	return missing, stale, nil
}
