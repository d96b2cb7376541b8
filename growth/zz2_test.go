package growth
import ("testing";"os")
func TestQuickJSON(t *testing.T){ b,_:=os.ReadFile("/tmp/gw/in.json"); out,errs:=ZScoresJSON(b); t.Logf("%s %v", out, errs)
 out,errs=ZScoresJSON([]byte(`[{"sex":"x","age_days":1.5,"weight_kg":"3","foo":1,"length_cm":50}, 3]`)); t.Logf("%s %v", out, errs)
 out,errs=ZScoresJSON([]byte(`[1,]`)); t.Logf("%s %v", out, errs)
}
