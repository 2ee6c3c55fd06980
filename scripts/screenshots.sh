#!/usr/bin/env bash
# screenshots.sh BIN: run the real desktop app under Xvfb against a local
# relay with the demo scheme and capture the real window from outside with
# xwd (the in-app canvas capture is blank under Xvfb's software GL). The
# refuge circulates a referral (CLI), Weald Homes and Medway Valley Housing
# each offer a home (CLI, as their liaison officers), then the refuge's
# desktop app is driven with xdotool: unlock (a wrong passphrase first), the
# case list, the case with its actions, the offers side by side, a new
# referral with a disclosure-guard finding inline, accepting an offer, the
# household-details form and the confirmation listing every reader, and the
# organisation screen. PNGs go to docs/screenshots/.
set -euo pipefail
bin=${1:-bin}
out=docs/screenshots
work=$(mktemp -d /tmp/saferef-screens.XXXXXX)
listen=127.0.0.1:${SCREENSHOT_PORT:-8479}
relay="ws://$listen"
display=:${SCREENSHOT_DISPLAY:-99}
# DEMO ONLY: every demo home shares this passphrase, and vaults use a low work
# factor so that the run is quick.
export SAFEREF_PASSPHRASE=demo-screenshots-only
export SAFEREF_VAULT_WORK_FACTOR=10
export LANG=en_GB.UTF-8

need=""
for p in xvfb:Xvfb xdotool:xdotool x11-apps:xwd imagemagick:convert; do
  command -v "${p#*:}" >/dev/null || need="$need ${p%%:*}"
done
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "saferef: error: missing packages:$need"; echo "saferef: hint: sudo apt-get install -y$need"; exit 1
  fi
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

"$bin/saferef-admin" dev-scheme --dir "$work/scheme" --relay "$relay" >"$work/dev-scheme.log" 2>&1 &
dev=$!
for _ in $(seq 1 100); do [ -f "$work/scheme/scheme.json" ] && break; sleep 0.1; done
"$bin/saferef-server" --data "$work/relay" --listen "$listen" --scheme "$work/scheme/scheme.json" 2>"$work/relay.log" &
pids+=($!)
wait "$dev" || { cat "$work/dev-scheme.log"; exit 1; }

refuge="$work/scheme/homes/harbour-refuge"
org_of() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([o["org"] for o in d["organisations"] if o["name"]==sys.argv[2]][0])' "$work/scheme/demo.json" "$1"; }
home_of() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([o["home"] for o in d["organisations"] if o["name"]==sys.argv[2]][0])' "$work/scheme/demo.json" "$1"; }
weald_home=$(home_of "Weald Homes")
valley_home=$(home_of "Medway Valley Housing")
cli() { "$bin/saferef" "$@"; }

# The refuge circulates the template referral to every landlord with homes
# in its acceptable districts: Weald Homes, and Medway Valley Housing once
# Dartford is acceptable too.
cli --home "$refuge" sync >/dev/null
cli --home "$refuge" referral template | python3 -c '
import json, sys
r = json.load(sys.stdin)
r["districts_acceptable"].append("Dartford")
json.dump(r, sys.stdout)' >"$work/referral.json"
cli --home "$refuge" details template >"$work/household.json"
case_id=$(cli --home "$refuge" referral send --file "$work/referral.json" --household "$work/household.json" | tail -n 1)
# Each landlord offers a home.
cli --home "$weald_home" sync >/dev/null
cli --home "$weald_home" offer template >"$work/offer-weald.json"
offer_weald=$(cli --home "$weald_home" offer send --case "$case_id" --file "$work/offer-weald.json" | tail -n 1)
cli --home "$valley_home" sync >/dev/null
cli --home "$valley_home" offer template | python3 -c '
import json, sys
o = json.load(sys.stdin)
o.update(property_type="house", bedrooms=3, floor=0, lift=False, adaptations=[], weekly_rent_pence=13875,
         available_from="2026-07-01", district="Dartford", address="14 Orchard Row, Dartford DA1 9ZZ",
         viewing="Viewing with the housing officer on a weekday afternoon; meet at the area office.", expires="")
json.dump(o, sys.stdout)' >"$work/offer-valley.json"
cli --home "$valley_home" offer send --case "$case_id" --file "$work/offer-valley.json" >/dev/null
cli --home "$weald_home" message send --case "$case_id" --text "The flat is ready for a viewing any weekday morning." >/dev/null || true

"$bin/saferef-desktop" --home "$refuge" >"$work/desktop.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 1 100); do win=$(xdotool search --name '^Saferef$' 2>/dev/null | head -n 1) && [ -n "$win" ] && break; sleep 0.2; done
[ -n "$win" ] || { cat "$work/desktop.log"; echo "saferef: error: the desktop window did not appear"; exit 1; }
xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800 windowactivate --sync "$win" 2>/dev/null || true
sleep 2

mkdir -p "$out"
shot() { sleep "${2:-1.5}"; xwd -silent -id "$win" | convert xwd:- "$out/$1.png"; echo "wrote $out/$1.png"; }
key() { xdotool key --delay 60 "$@"; }
typ() { xdotool type --delay 25 "$1"; }
tabs() { for _ in $(seq 1 "$1"); do key Tab; done; }
# The first row of the case list, and a point in the case pane to scroll.
row() { xdotool mousemove --window "$win" 420 140 click 1; }
scroll_case() { xdotool mousemove --window "$win" 1050 450; for _ in $(seq 1 "$1"); do xdotool click 5; sleep 0.05; done; }

shot unlock
typ "not my passphrase"; key Return
shot unlock-wrong-passphrase 3
typ "$SAFEREF_PASSPHRASE"; key Return
shot case-list 6
row
shot case-view 3
scroll_case 12
shot offers 2

# A new referral with a postcode in an anonymous field: the guard's finding
# shows on that field (Ctrl+Enter sends the form).
key ctrl+n; sleep 1
typ "KMR-2026-0042"
tabs 7; key ctrl+a; typ "ground floor, near ME15 9ZZ"
key ctrl+Return
shot new-referral-guard 2

# Accept Weald's offer (as the refuge, on the command line), then release
# the household's details from the app: the confirmation lists every reader.
for _ in 1 2 3 4 5; do cli --home "$refuge" offer decide --case "$case_id" --offer "$offer_weald" --accept >/dev/null 2>"$work/decide.err" && break; sleep 1; done
row; sleep 2
key Tab; key space; sleep 1          # the first action: Release household details
typ "Lina Haddad"; key Tab
typ "1991-03-14"; key Tab
typ "Flat 3, 22 Marine Parade, Gillingham ME7 1AA"; key Tab
key Tab; key Tab                      # no safe phone or email
typ "via the support worker only"; key Tab
key Tab                               # not safe to leave a message
typ "Ex-partner lives in Medway."; key Tab
typ "Jo Baxter, Harbour Refuge"; key Tab
key space; key Tab; key Tab           # the household consented
typ "Priya Shah"
key ctrl+Return
shot release-confirm 3
key Escape; sleep 0.5

# The organisation screen.
key ctrl+o                     # leaves the confirmation unsent
shot organisation 2
