package growth

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestChartSVGGolden(t *testing.T) {
	for _, c := range []struct {
		file  string
		chart Chart
	}{
		{"wfa_girl.svg", Chart{Sex: Female, Points: []Point{{0, 3.1}, {45, 4.2}, {120, 5.6}, {200, 6.3}, {400, 7.9}, {700, 9.0}}}},
		{"lhfa_boy.svg", Chart{Sex: Male, Indicator: "lhfa", Title: "Length/height-for-age <Jean>", Points: []Point{{10, 51}, {400, 74}, {900, 86}}}},
		{"wfl_boy.svg", Chart{ID: "wfl", Sex: Male, Indicator: "wfl", Points: []Point{{60, 5.2}, {70, 7.1}}}},
	} {
		var buf bytes.Buffer
		if err := ChartSVG(&buf, c.chart); err != nil {
			t.Fatal(err)
		}
		checkSVG(t, c.file, buf.Bytes())
		path := filepath.Join("testdata", c.file)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./growth/ -run Golden -update)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from the golden file; if intended, rerun with -update", c.file)
		}
	}
}

// checkSVG: well-formed XML, accessible, and free of script.
func checkSVG(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: not well-formed: %v", name, err)
			}
			break
		}
	}
	s := string(b)
	for _, want := range []string{`role="img"`, "<title id=", "<desc id=", "aria-labelledby="} {
		if !strings.Contains(s, want) {
			t.Errorf("%s: missing %s", name, want)
		}
	}
	if strings.Contains(s, "<script") {
		t.Errorf("%s: contains script", name)
	}
}

func TestChartSVGErrors(t *testing.T) {
	if err := ChartSVG(&bytes.Buffer{}, Chart{Sex: "x"}); err == nil {
		t.Error("bad sex: want error")
	}
	if err := ChartSVG(&bytes.Buffer{}, Chart{Sex: Male, Indicator: "bmi"}); err == nil {
		t.Error("bad indicator: want error")
	}
}

// TestChartSVGLabels: a caller's labels replace the English words (escaped), and the
// formats take their values in the documented order.
func TestChartSVGLabels(t *testing.T) {
	var buf bytes.Buffer
	l := Labels{Name: "Poids pour l'âge", XAxis: "Âge (mois)", YAxis: "Poids <kg>",
		Description: "%s : %d mesure(s).", Latest: " Dernière : %[1]s ; %[3]s.", Point: "%[2]s %[1]s, %[4]s %[3]s"}
	if err := ChartSVG(&buf, Chart{Sex: Female, Points: []Point{{200, 6.3}}, Labels: l}); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, "labels", buf.Bytes())
	svg := buf.String()
	for _, want := range []string{
		">Âge (mois)</text>", ">Poids &lt;kg&gt;</text>",
		"Poids pour l&#39;âge : 1 mesure(s). Dernière : 6.6 ; 6.3.</desc>",
		"<title>6.6 Âge (mois), 6.3 Poids &lt;kg&gt;: z = ",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %q in\n%s", want, svg)
		}
	}
	for _, english := range []string{"Age (months)", "Weight (kg)", "against the WHO curves", "Latest"} {
		if strings.Contains(svg, english) {
			t.Errorf("English %q left in a labelled chart", english)
		}
	}
}
