package export

import (
	"io"
	"iter"
	"strconv"
	"time"

	"mesh/qi"
	"mesh/readiness"
)

// The facility-system tables: readiness checks, stock-out events, issues and QI
// cycles. They are small next to observations (a few rows per facility and visit), so
// the store hands over domain records and the rows are built here.

// ReadinessCheck is one stored readiness check with the name of its facility.
type ReadinessCheck struct {
	*readiness.Check
	Facility string
}

// ReadinessHeader is the readiness check table's header row.
var ReadinessHeader = []string{"id", "date", "month", "facility_id", "facility", "visit_id", "checklist_version",
	"items_answered", "tracers_checked", "tracers_in_stock", "equipment_checked", "equipment_functional",
	"infrastructure_checked", "infrastructure_present", "out_of_stock", "notes", "version", "created_at", "updated_at"}

var readinessTable = table[ReadinessCheck]{header: ReadinessHeader, row: func(c ReadinessCheck, r []string) {
	// The section counts are the check's stored indicator contributions, the numbers
	// the dashboards add up, so the file and the dashboards agree.
	var tracer, equip, infra [2]float64
	for _, x := range c.Indicators {
		switch x.ID {
		case readiness.TracerAvailability:
			tracer = [2]float64{x.Den, x.Num}
		case readiness.EquipmentFunctional:
			equip = [2]float64{x.Den, x.Num}
		case readiness.InfrastructureReady:
			infra = [2]float64{x.Den, x.Num}
		}
	}
	var out []string
	for _, a := range c.OutOfStock() {
		out = append(out, a.Item+" since "+string(a.OutSince))
	}
	copy(r, []string{c.ID, string(c.Date), c.Month(), strconv.FormatInt(c.FacilityID, 10), c.Facility, c.VisitID,
		c.ChecklistVersion, strconv.Itoa(len(c.Answers)), num(tracer[0]), num(tracer[1]), num(equip[0]), num(equip[1]),
		num(infra[0]), num(infra[1]), list(out), c.Notes, strconv.Itoa(c.Version), timeCell(c.CreatedAt), timeCell(c.UpdatedAt)})
}, kinds: map[string]colKind{"date": kDate, "facility_id": kNum, "items_answered": kNum, "tracers_checked": kNum,
	"tracers_in_stock": kNum, "equipment_checked": kNum, "equipment_functional": kNum, "infrastructure_checked": kNum,
	"infrastructure_present": kNum, "version": kNum, "created_at": kTime, "updated_at": kTime}}

// WriteReadinessChecks writes one row per readiness check in format f.
func WriteReadinessChecks(w io.Writer, f Format, rows iter.Seq2[ReadinessCheck, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "readiness checks"
	}
	return writeAs(readinessTable, w, f, rows, opt)
}

// StockEvent is one stock-out of a tracer commodity at a facility.
type StockEvent struct {
	*readiness.StockEvent
	Facility string
}

// StockHeader is the stock-out table's header row.
var StockHeader = []string{"id", "facility_id", "facility", "commodity", "started_on", "ended_on", "open", "days_out",
	"check_id", "notes", "version", "created_at", "updated_at"}

var stockTable = table[StockEvent]{header: StockHeader, row: func(e StockEvent, r []string) {
	// days_out counts only ended events: an open one's length depends on the day the
	// file is read, which the row cannot know.
	days := ""
	if e.EndedOn != "" {
		if n, ok := daysBetween(string(e.StartedOn), string(e.EndedOn)); ok {
			days = strconv.Itoa(n)
		}
	}
	copy(r, []string{e.ID, strconv.FormatInt(e.FacilityID, 10), e.Facility, e.Commodity, string(e.StartedOn), string(e.EndedOn),
		boolCell(e.EndedOn == ""), days, e.CheckID, e.Notes, strconv.Itoa(e.Version), timeCell(e.CreatedAt), timeCell(e.UpdatedAt)})
}, kinds: map[string]colKind{"facility_id": kNum, "started_on": kDate, "ended_on": kDate, "open": kBool, "days_out": kNum,
	"version": kNum, "created_at": kTime, "updated_at": kTime}}

// WriteStockEvents writes one row per stock-out event in format f.
func WriteStockEvents(w io.Writer, f Format, rows iter.Seq2[StockEvent, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "stock-outs"
	}
	return writeAs(stockTable, w, f, rows, opt)
}

// Issue is one facility issue with the name of its facility and its number of
// comments (the comments themselves stay on the issue page).
type Issue struct {
	*readiness.Issue
	Facility string
	Comments int
}

// IssueHeader is the issue table's header row.
var IssueHeader = []string{"id", "facility_id", "facility", "visit_id", "category", "description", "owner", "due_on",
	"status", "opened_on", "resolved_on", "days_to_resolve", "status_changes", "comments", "version", "created_at", "updated_at"}

var issueTable = table[Issue]{header: IssueHeader, row: func(i Issue, r []string) {
	days := ""
	if i.ResolvedOn != "" {
		if n, ok := daysBetween(string(i.OpenedOn), string(i.ResolvedOn)); ok {
			days = strconv.Itoa(n)
		}
	}
	copy(r, []string{i.ID, strconv.FormatInt(i.FacilityID, 10), i.Facility, i.VisitID, i.Category, i.Description, i.Owner,
		string(i.DueOn), i.Status, string(i.OpenedOn), string(i.ResolvedOn), days, strconv.Itoa(len(i.History)),
		strconv.Itoa(i.Comments), strconv.Itoa(i.Version), timeCell(i.CreatedAt), timeCell(i.UpdatedAt)})
}, kinds: map[string]colKind{"facility_id": kNum, "due_on": kDate, "opened_on": kDate, "resolved_on": kDate,
	"days_to_resolve": kNum, "status_changes": kNum, "comments": kNum, "version": kNum, "created_at": kTime, "updated_at": kTime}}

// WriteIssues writes one row per issue in format f.
func WriteIssues(w io.Writer, f Format, rows iter.Seq2[Issue, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "issues"
	}
	return writeAs(issueTable, w, f, rows, opt)
}

// QICycle is one PDSA cycle with its QI project.
type QICycle struct {
	*qi.PDSACycle
	Project  *qi.Project // Cycles not filled
	Facility string
}

// QICycleHeader is the QI cycle table's header row.
var QICycleHeader = []string{"id", "project_id", "project", "facility_id", "facility", "project_status", "aim",
	"aim_indicator", "aim_target_value", "aim_target_date", "change_idea_id", "change_idea", "plan", "do", "study", "act",
	"started_on", "ended_on", "result", "version", "created_at", "updated_at"}

var qiCycleTable = table[QICycle]{header: QICycleHeader, row: func(c QICycle, r []string) {
	p := c.Project
	idea := ""
	for _, ci := range p.ChangeIdeas {
		if ci.ID == c.ChangeIdeaID {
			idea = ci.Text
		}
	}
	target := ""
	if p.Aim.IndicatorID != "" || p.Aim.TargetValue != 0 {
		target = num(p.Aim.TargetValue)
	}
	copy(r, []string{c.ID, p.ID, p.Title, strconv.FormatInt(p.FacilityID, 10), c.Facility, p.Status, p.Aim.Text,
		p.Aim.IndicatorID, target, string(p.Aim.TargetDate), c.ChangeIdeaID, idea, c.Plan, c.Do, c.Study, c.Act,
		string(c.StartedOn), string(c.EndedOn), c.Result, strconv.Itoa(c.Version), timeCell(c.CreatedAt), timeCell(c.UpdatedAt)})
}, kinds: map[string]colKind{"facility_id": kNum, "aim_target_value": kNum, "aim_target_date": kDate, "started_on": kDate,
	"ended_on": kDate, "version": kNum, "created_at": kTime, "updated_at": kTime}}

// WriteQICycles writes one row per PDSA cycle, with its project, in format f.
func WriteQICycles(w io.Writer, f Format, rows iter.Seq2[QICycle, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "QI cycles"
	}
	return writeAs(qiCycleTable, w, f, rows, opt)
}

// daysBetween counts calendar days from a to b (YYYY-MM-DD).
func daysBetween(a, b string) (int, bool) {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(tb.Sub(ta).Hours() / 24), true
}
