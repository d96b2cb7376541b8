package mesh_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Pure and domain packages must not reach for the database or the network: that is
// what keeps the engines testable, portable to WebAssembly and the layering honest.
func TestImportDirection(t *testing.T) {
	forbidden := []string{"database/sql", "net/http", "mesh/sqlstore", "mesh/api", "mesh/web", "mesh/auth"}
	for _, pkg := range []string{"mesh", "mesh/imci", "mesh/growth", "mesh/stats", "mesh/place", "mesh/staff", "mesh/account", "mesh/audit", "mesh/demo", "mesh/secret"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		for _, d := range deps {
			for _, f := range forbidden {
				if d == f {
					t.Errorf("%s imports %s", pkg, f)
				}
			}
		}
	}
}
