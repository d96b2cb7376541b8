package api

// VisitInput is a visit as a client sends it, exported so the web pages save visits
// through PutVisit — the same access checks and store path as the JSON API — rather
// than a copy of them.
type VisitInput = visitInput
