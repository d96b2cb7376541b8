package api

import (
	"io"
	"net/http"

	"mesh"
	"mesh/imci"
)

// maxClassifyBody allows arrays of many children (the CLI allows 10 MiB too).
const maxClassifyBody = 10 << 20

// classify runs the IMCI engine on one input or an array of them. It stores nothing,
// so it needs no login: trainers use it as a teaching tool.
func (s *Server) classify(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxClassifyBody))
	if err != nil {
		s.fail(w, r, &mesh.Error{Code: mesh.ETOOLARGE, Message: "the body is larger than 10 MiB",
			Fields: []mesh.FieldError{{Code: "TOO_LARGE", Field: "$", Message: "the body is larger than 10 MiB"}}})
		return
	}
	out, errs := imci.ClassifyJSON(s.protocol(), body)
	if len(errs) > 0 {
		writeFieldErrors(w, r, errs)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	w.Write([]byte("\n"))
}

func (s *Server) protocol() *imci.Protocol {
	if s.Protocol != nil {
		return s.Protocol
	}
	return imci.DefaultProtocol()
}
