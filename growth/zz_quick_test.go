package growth

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestQuickByDay(t *testing.T) {
	for _, f := range []struct{ file, ind string }{{"wfa", "wfa"}, {"lfa", "lhfa"}, {"hfa", "lhfa"}, {"wfl", "wfl"}} {
		fh, err := os.Open("/tmp/gw/byday/" + f.file + ".tsv")
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		worst := map[string]float64{}
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			sex := map[string]string{"1": "male", "2": "female"}[fs[0]]
			var v [4]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(fs[i+1], 64)
			}
			ref := lms{v[1], v[2], v[3]}
			for _, z := range []float64{-3, -2, 0, 2} {
				y := lmsValue(z, ref)
				var got lms
				var ok bool
				if f.ind == "wfl" {
					got, ok = lengthLMS("wfl", sex, v[0])
				} else {
					got, ok = lookup(f.ind, sex, v[0])
				}
				if !ok {
					t.Fatalf("%v %v not ok", f, v)
				}
				d := math.Abs(lmsZ(y, got) - z)
				k := fmt.Sprintf("%s %s z=%v", f.file, sex, z)
				worst[k] = max(worst[k], d)
			}
		}
		for k, v := range worst {
			t.Logf("%s max|dz|=%.4f", k, v)
		}
	}
}
