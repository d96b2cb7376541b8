package readiness

import (
	"context"
	"time"
)

// Store keeps readiness checks, the stock-out log and system issues. Every Put is
// idempotent on the client id: created when new, unchanged when the same content is
// sent again, updated when expectedVersion is the stored version, else ECONFLICT.
type Store interface {
	// PutCheck validates c against cl and stores it with its indicator counts.
	PutCheck(ctx context.Context, c *Check, cl Checklist, expectedVersion *int) (created bool, err error)
	FindCheckByID(ctx context.Context, id string) (*Check, error)
	FindChecks(ctx context.Context, f CheckFilter) ([]*Check, int, error)

	PutStockEvent(ctx context.Context, e *StockEvent, cl Checklist, expectedVersion *int) (created bool, err error)
	FindStockEventByID(ctx context.Context, id string) (*StockEvent, error)
	FindStockEvents(ctx context.Context, f StockFilter) ([]*StockEvent, int, error)
	// FindCurrentStockouts lists open stock-outs of the given commodities under the
	// paths, oldest first, with days out counted to now in each facility's zone.
	FindCurrentStockouts(ctx context.Context, under []string, commodities []string, now time.Time) ([]*CurrentStockout, error)

	PutIssue(ctx context.Context, i *Issue, expectedVersion *int) (created bool, err error)
	FindIssueByID(ctx context.Context, id string) (*Issue, error)
	FindIssues(ctx context.Context, f IssueFilter) ([]*Issue, int, error)
	// AddIssueComment adds a comment (idempotent on its id) and returns the issue.
	AddIssueComment(ctx context.Context, c *Comment) (*Issue, error)
}
