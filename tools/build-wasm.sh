#!/bin/sh
# build-wasm.sh writes web/static/mesh.wasm (the IMCI engine, the form converter and
# the observation scorer compiled to WebAssembly for the offline field app) and copies
# the Go release's wasm_exec.js next to it; the two must come from the same Go version.
# Run from anywhere; commit both files. Re-run whenever imci/, observation/, growth/
# or imciform/ change: the browser test TestWasmEngineMatchesServer fails otherwise.
set -eu
cd "$(dirname "$0")/.."
# -trimpath and -s -w make the file reproducible and about a third smaller; no cgo.
GOOS=js GOARCH=wasm CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o web/static/mesh.wasm ./cmd/meshwasm
root=$(go env GOROOT)
if [ -f "$root/lib/wasm/wasm_exec.js" ]; then
	cp "$root/lib/wasm/wasm_exec.js" web/static/wasm_exec.js
else
	cp "$root/misc/wasm/wasm_exec.js" web/static/wasm_exec.js # Go before 1.24
fi
ls -l web/static/mesh.wasm | awk '{print "mesh.wasm: " $5 " bytes"}'
gzip -9 -c web/static/mesh.wasm | wc -c | awk '{print "mesh.wasm gzipped: " $1 " bytes"}'
