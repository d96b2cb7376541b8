#!/usr/bin/env bash
# Scored observation saves through the HTTP API, measured with wrk (a C load generator,
# so the client takes little of the 2 cores). Usage:
#   tools/bench/observation-saves.sh [DSN] [DURATION] [CONNECTIONS...]
# Starts `mesh serve` on a fresh database with the demo's places and people, creates one
# visit, then PUTs new observations (each a new client UUID) at each concurrency.
set -euo pipefail
cd "$(dirname "$0")/../.."
DSN=${1:-/tmp/mesh-bench-$$.db}
DUR=${2:-20s}
shift 2 2>/dev/null || true
CONNS=${*:-1 10 50}
PORT=${MESH_BENCH_PORT:-18555}
LUA=/tmp/mesh-bench-$$.lua
go build -o /tmp/mesh-bench-bin-$$ ./cmd/mesh
case "$DSN" in postgres*) ;; *) rm -f "$DSN" "$DSN"-wal "$DSN"-shm ;; esac
/tmp/mesh-bench-bin-$$ demo --db "$DSN" >/dev/null 2>&1
/tmp/mesh-bench-bin-$$ serve --db "$DSN" --addr 127.0.0.1:$PORT >/tmp/mesh-bench-serve-$$.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -f $LUA $LUA.out /tmp/mesh-bench-bin-$$' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
URL=http://127.0.0.1:$PORT
TOKEN=$(curl -s -XPOST $URL/api/v1/auth/token -d '{"username":"mentor.kayonza","password":"mesh-demo-2026"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
FAC=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/orgunits?type=facility&q=Rwinkwavu" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["id"])')
HW=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/health-workers?facility_id=$FAC&active_on=2026-11-20" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["id"])')
VISIT=0190c1a2-0000-7000-8000-00000000beef
curl -s -XPOST -H "Authorization: Bearer $TOKEN" $URL/api/v1/visits -d "{\"id\":\"$VISIT\",\"facility_id\":$FAC,\"date\":\"2026-11-20\"}" >/dev/null
BODY=$(python3 - "$VISIT" "$HW" <<'PY'
import json,sys
visit,hw=sys.argv[1],int(sys.argv[2])
tasks=["ask_drink_or_breastfeed","ask_vomits_everything","ask_convulsions","look_lethargic_unconscious","ask_cough","ask_diarrhoea","ask_fever","ask_ear_problem","count_breaths_one_minute","look_chest_indrawing","look_listen_stridor_wheeze","measure_temperature","weigh","plot_growth_chart","look_oedema","check_palmar_pallor","check_immunization_card","measure_muac","assess_feeding"]
a={"schema_version":"1.0","age_months":14,"sex":"female","weight_kg":9.5,"temperature_c":37.0,"setting":{"malaria_risk":"low"},
 "danger_signs":{"not_able_to_drink_or_breastfeed":False,"vomits_everything":False,"convulsions_this_illness":False,"lethargic_or_unconscious":False,"convulsing_now":False},
 "cough":{"present":True,"duration_days":3,"respiratory_rate":52,"chest_indrawing":False,"stridor_when_calm":False,"wheeze":False},
 "diarrhoea":{"present":False},"fever":{"reported":False},"ear":{"present":False},
 "nutrition":{"oedema_both_feet":False,"muac_mm":140,"wfh_z":-0.5},"anaemia":{"palmar_pallor":"none"}}
o={"visit_id":visit,"health_worker_id":hw,"observed_at":"2026-11-20T09:30:00+02:00","protocol":"imci-who-2014","recording_form_used":True,"assessment":a,
 "worker":{"tasks":{t:True for t in tasks},"classifications":["PNEUMONIA","NO_ANAEMIA","NO_ACUTE_MALNUTRITION"],
  "treatments":[{"code":"AMOXICILLIN_ORAL","units_per_dose":1,"unit":"tablet_250mg","frequency_per_day":2,"duration_days":5}],
  "referred":False,"follow_up_days":3,"counselling":{"advised_when_to_return_immediately":True,"taught_how_to_give_oral_drugs":True,"first_dose_given_at_facility":True,"feeding_counselled":True,"fluids_and_feeding_advised":True}}}
print(json.dumps(o))
PY
)
# Every wrk run gets its own id prefix (run number and a random tag), so no run repeats
# an id of an earlier one: a repeat is an idempotent 200 without a write and would
# flatter the figures. Each answer other than 201 is counted and printed.
TAG=$(printf '%04x' $(( (RANDOM << 1) & 0xfff0 )))
RUN=0
# cputicks prints the server's user+system CPU time in clock ticks.
cputicks() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
lua() {
  RUN=$((RUN + 1))
  python3 - "$TOKEN" "$BODY" "$(printf '%04x' $(( 0x$TAG + RUN )))" > $LUA <<'PY'
import sys,json
token,body,run=sys.argv[1],sys.argv[2],sys.argv[3]
print('local token = %s' % json.dumps(token))
print('local body = %s' % json.dumps(body))
print('local run = %s' % json.dumps(run))
print('''local threads = {}
local tcount = 0
function setup(thread) thread:set("tid", tcount); tcount = tcount + 1; table.insert(threads, thread) end
function init(args) n = 0; created = 0; other = 0 end
function request()
  n = n + 1
  local id = string.format("0190c1a2-%s-7%03x-8000-%012x", run, tid, n)
  return wrk.format("PUT", "/api/v1/observations/" .. id, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("created (201): %d, other answers: %d\\n", c, o))
end''')
PY
}
lua
echo "warm-up"; wrk -t1 -c4 -d3s -s $LUA $URL >/dev/null
for c in $CONNS; do
  t=$(( c < 2 ? 1 : 2 ))
  lua
  echo "== concurrency $c ($DUR)"
  cpu0=$(cputicks)
  wrk -t$t -c$c -d$DUR --latency -s $LUA $URL > $LUA.out
  cpu1=$(cputicks)
  grep -E "Requests/sec|Non-2xx|50%|99%|Socket errors|created" $LUA.out
  # Server CPU time per request: unlike requests/s it hardly depends on what else
  # the machine runs, so it compares builds fairly on a shared machine.
  reqs=$(awk '/requests in/ {print $1}' $LUA.out)
  echo "server CPU per save: $(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / reqs )) µs"
  echo "server RSS now: $(ps -o rss= -p $SERVER) KiB, peak: $(awk '/VmHWM/ {print $2}' /proc/$SERVER/status) KiB"
done
