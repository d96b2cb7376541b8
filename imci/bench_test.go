package imci

import "testing"

// BenchmarkClassify runs the engine on a realistic mix of decoded inputs.
func BenchmarkClassify(b *testing.B) {
	var inputs []Input
	for _, m := range goldenInputs() {
		in, errs := Decode(mustJSON(b, m))
		if errs != nil {
			b.Fatal(errs)
		}
		inputs = append(inputs, in)
	}
	for _, m := range []map[string]any{
		baseChild(30.0), baseChild(14.0, diarrhoeaBlock(), set("weight_kg", 9.0)),
		baseChild(40.0, earBlock(), set("ear.ear_pain", true), feverBlock(), set("setting.malaria_risk", "low")),
		baseChild(12.0, set("nutrition.muac_mm", 110.0), set("nutrition.appetite_test", "passed")),
	} {
		in, errs := Decode(mustJSON(b, m))
		if errs != nil {
			b.Fatal(errs)
		}
		inputs = append(inputs, in)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Classify(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyJSON includes strict decoding and encoding, as the CLI and API do.
func BenchmarkClassifyJSON(b *testing.B) {
	body := mustJSON(b, goldenInputs()["pneumonia_malaria_some_dehydration"])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, errs := ClassifyJSON(nil, body); errs != nil {
			b.Fatal(errs)
		}
	}
}
