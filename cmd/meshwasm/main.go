//go:build js && wasm

// Command meshwasm exposes the IMCI engine to a browser as meshClassify(jsonString),
// so the offline web app scores a consultation with exactly the server's rules.
package main

import (
	"syscall/js"

	"mesh/imci"
)

func main() {
	js.Global().Set("meshClassify", js.FuncOf(classify))
	select {} // keep the Go runtime alive for later calls
}

// classify takes one JSON string (an input object or array) and returns the result
// JSON, or {"errors":[...]} for invalid input.
func classify(_ js.Value, args []js.Value) any {
	if len(args) != 1 || args[0].Type() != js.TypeString {
		return `{"errors":[{"code":"WRONG_TYPE","field":"$","message":"meshClassify takes one JSON string"}]}`
	}
	out, errs := imci.ClassifyJSON(imci.DefaultProtocol(), []byte(args[0].String()))
	if len(errs) > 0 {
		return string(imci.ErrorsJSON(errs))
	}
	return string(out)
}
