//go:build js && wasm

// Command meshwasm exposes MESH's engines to a browser, so the offline web app builds
// and scores a case observation with exactly the server's code:
//
//	meshClassify(inputJSON) → result JSON (imci.ClassifyJSON)
//	meshObservationFromForm(urlencoded, visitID, healthWorkerID, visitDate, nowRFC3339)
//	    → {"observation": {…}} or {"observation": {…}, "errors": [...]} (imciform.ObservationBody)
//	meshScore(observationJSON, trainedOn) → {"expected": {…}, "score": {…}} or {"errors": [...]}
//	    (imciform.Score: observation.Decode + observation.Evaluate)
//
// Every function takes and returns strings: JSON crosses the JS boundary unchanged,
// so the browser sees the same bytes the server's encoder writes.
//
// Build with tools/build-wasm.sh (writes web/static/mesh.wasm).
package main

import (
	"encoding/json"
	"net/url"
	"syscall/js"
	"time"

	"mesh"
	"mesh/imci"
	"mesh/imciform"
)

func main() {
	js.Global().Set("meshClassify", js.FuncOf(classify))
	js.Global().Set("meshObservationFromForm", js.FuncOf(observationFromForm))
	js.Global().Set("meshScore", js.FuncOf(score))
	// Tell the page the functions exist: the engine loads in the background and
	// offline.js waits for this promise-like signal rather than polling.
	if cb := js.Global().Get("meshEngineReady"); cb.Type() == js.TypeFunction {
		cb.Invoke()
	}
	select {} // keep the Go runtime alive for later calls
}

// classify takes one JSON string (an input object or array) and returns the result
// JSON, or {"errors":[...]} for invalid input.
func classify(_ js.Value, args []js.Value) any {
	if len(args) != 1 || args[0].Type() != js.TypeString {
		return errorsJSON(mesh.FieldError{Code: "WRONG_TYPE", Field: "$", Message: "meshClassify takes one JSON string"})
	}
	out, errs := imci.ClassifyJSON(imci.DefaultProtocol(), []byte(args[0].String()))
	if len(errs) > 0 {
		return string(imci.ErrorsJSON(errs))
	}
	return string(out)
}

// observationFromForm turns the observation form's url-encoded values into the
// observation JSON, as the server's POST /visits/{id}/observe does. The optional
// healthWorkerID replaces the form's own; visitDate ("YYYY-MM-DD") places an
// observation logged after the visit on the visit's day; now is the device's clock
// with its offset (RFC 3339), because the wasm runtime knows no local time zone.
func observationFromForm(_ js.Value, args []js.Value) any {
	str := func(i int) string {
		if i < len(args) && args[i].Type() == js.TypeString {
			return args[i].String()
		}
		return ""
	}
	v, err := url.ParseQuery(str(0))
	if err != nil {
		return errorsJSON(mesh.FieldError{Code: "INVALID_FORMAT", Field: "$", Message: "the form values are not url-encoded: " + err.Error()})
	}
	if hw := str(2); hw != "" {
		v.Set("health_worker_id", hw)
	}
	at := time.Now()
	if s := str(4); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			at = t
		}
	}
	body, errs := imciform.ObservationBody(v, str(1), mesh.Date(str(3)), at)
	out := map[string]any{"observation": body}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// score decodes and scores an observation JSON, returning the expected result and
// the score the server would store with it.
func score(_ js.Value, args []js.Value) any {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return errorsJSON(mesh.FieldError{Code: "WRONG_TYPE", Field: "$", Message: "meshScore takes the observation JSON string"})
	}
	var trainedOn mesh.Date
	if len(args) > 1 && args[1].Type() == js.TypeString {
		trainedOn = mesh.Date(args[1].String())
	}
	res, errs := imciform.Score([]byte(args[0].String()), trainedOn)
	if len(errs) > 0 {
		return errorsJSON(errs...)
	}
	b, err := json.Marshal(res)
	if err != nil {
		return errorsJSON(mesh.FieldError{Code: "INTERNAL", Field: "$", Message: err.Error()})
	}
	return string(b)
}

func errorsJSON(errs ...mesh.FieldError) string {
	b, _ := json.Marshal(map[string]any{"errors": errs})
	return string(b)
}
