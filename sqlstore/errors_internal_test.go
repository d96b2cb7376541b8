package sqlstore

import (
	"database/sql"
	"errors"
	"testing"

	"mesh"
)

// A look-up that finds no row is the caller's to judge (the record names something
// that does not exist); any other failure is passed on, so that a dropped connection
// is a server error the device retries, not a rejection it keeps for good (a
// terminated PostgreSQL backend once turned 400 synced records into "facility_id must
// name a facility").
func TestLookupFailed(t *testing.T) {
	dropped := errors.New("FATAL: terminating connection due to administrator command")
	for _, c := range []struct {
		in   error
		want error
	}{
		{nil, nil},
		{sql.ErrNoRows, nil},
		{mesh.Errorf(mesh.ENOTFOUND, "place 7 not found"), nil},
		{dropped, dropped},
	} {
		if got := lookupFailed(c.in); !errors.Is(got, c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("lookupFailed(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
