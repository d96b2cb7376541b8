package imci

import (
	"encoding/json"
	"fmt"

	"mesh"
)

// ClassifyJSON is the wire contract of `mesh imci classify` and POST
// /api/v1/imci/classify: body is one input object or an array of them; the answer is
// the result object or an array of results. If any element is invalid only errors are
// returned, each field prefixed with the element index ("[3].age_days").
func ClassifyJSON(p *Protocol, body []byte) ([]byte, []mesh.FieldError) {
	if p == nil {
		p = defaultProtocol
	}
	v, err := parseJSON(body)
	if err != nil {
		return nil, []mesh.FieldError{malformed(err)}
	}
	list, isList := v.([]any)
	if !isList {
		in, errs := decodeValue(v, "")
		if len(errs) > 0 {
			return nil, errs
		}
		return p.marshal(in)
	}
	inputs := make([]Input, len(list))
	var errs []mesh.FieldError
	for i, item := range list {
		in, es := decodeValue(item, fmt.Sprintf("[%d]", i))
		inputs[i] = in
		errs = append(errs, es...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	results := make([]Result, len(inputs))
	for i := range inputs {
		results[i] = p.classifyValid(&inputs[i])
	}
	return encode(results)
}

func (p *Protocol) marshal(in Input) ([]byte, []mesh.FieldError) {
	return encode(p.classifyValid(&in))
}

func encode(v any) ([]byte, []mesh.FieldError) {
	out, err := json.Marshal(v)
	if err != nil {
		// Only a non-finite number could fail here, and inputs are range-checked.
		return nil, []mesh.FieldError{{Code: "INTERNAL", Field: "$", Message: "result could not be encoded: " + err.Error()}}
	}
	return out, nil
}

// ErrorsJSON renders field errors as the spec's error body {"errors":[...]}.
func ErrorsJSON(errs []mesh.FieldError) []byte {
	if errs == nil {
		errs = []mesh.FieldError{}
	}
	out, _ := json.Marshal(struct {
		Errors []mesh.FieldError `json:"errors"`
	}{errs})
	return out
}
