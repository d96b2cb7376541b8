package account

import "strings"

// Scope is the area a user may see, as place paths. All means the whole database.
type Scope struct {
	All   bool
	Paths []string
}

// Contains reports whether the place at path lies in the scope.
func (s Scope) Contains(path string) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if path != "" && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Under returns the path filter for store queries: nil for the whole database, and a
// non-nil (possibly empty, matching nothing) slice otherwise.
func (s Scope) Under() []string {
	if s.All {
		return nil
	}
	if s.Paths == nil {
		return []string{}
	}
	return s.Paths
}
