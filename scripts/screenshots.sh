#!/usr/bin/env bash
# screenshots.sh BIN: run the real desktop app under Xvfb against a local
# relay with the demo scheme and capture the real window from outside with
# xwd (the in-app canvas capture is blank under Xvfb's software GL), at
# 1366×768 and at 1024×768 (each size in a fresh demo scheme). The refuge
# sends three referrals (CLI), Weald Homes and Medway Valley Housing each
# offer a home on the first (CLI, as their liaison officers), then the
# refuge's desktop app is driven with xdotool: unlock (a wrong passphrase
# first), the case list, sorted by "Needed by", the case with its actions,
# the offers side by side, the confirmation before accepting an offer, a new
# referral left for another case (the "leave this form?" question), the
# draft restored, a disclosure-guard finding shown on leaving the field, and
# the organisation screen. Then the refuge accepts and releases the
# household's details (CLI) and Weald Homes' desktop shows the landlord's
# view of them. PNGs go to docs/screenshots/NAME-WIDTH.png.
set -euo pipefail
bin=${1:-bin}
out=docs/screenshots
display=:${SCREENSHOT_DISPLAY:-99}
port=${SCREENSHOT_PORT:-8479}
# DEMO ONLY: every demo home shares this passphrase, and vaults use a low work
# factor so that the run is quick.
export SAFEREF_PASSPHRASE=demo-screenshots-only
export SAFEREF_VAULT_WORK_FACTOR=10
export LANG=en_GB.UTF-8

# have PACKAGE:COMMAND: the command is on PATH and, on Debian, comes with
# the package installed (a stand-in `convert` elsewhere on PATH is not
# ImageMagick).
have() {
  command -v "${1#*:}" >/dev/null || return 1
  command -v dpkg-query >/dev/null || return 0
  dpkg-query -W -f='${Status}' "${1%%:*}" 2>/dev/null | grep -q 'install ok installed'
}
need=""
for p in xvfb:Xvfb xdotool:xdotool x11-apps:xwd imagemagick:convert; do
  have "$p" || need="$need ${p%%:*}"
done
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "saferef: error: missing packages:$need"; echo "saferef: hint: sudo apt-get install -y$need"; exit 1
  fi
fi

pids=()
work=""
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
cleanup() { stop_all; if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT INT TERM

Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'cleanup; kill $xvfb 2>/dev/null || true' EXIT INT TERM
export DISPLAY=$display
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
sleep 0.5
mkdir -p "$out"

cli() { "$bin/saferef" "$@"; }
key() { xdotool key --delay 80 "$@"; }
typ() { xdotool type --delay 25 "$1"; }
tabs() { for _ in $(seq 1 "$1"); do key Tab; done; }
click() { xdotool mousemove --window "$win" "$1" "$2" click 1; sleep "${3:-0.8}"; }

# start_desktop HOME: starts the desktop app on HOME, sized W×H at 0,0.
start_desktop() {
  "$bin/saferef-desktop" --home "$1" >"$work/desktop.log" 2>&1 &
  pids+=($!)
  win=""
  for _ in $(seq 1 100); do win=$(xdotool search --name '^Saferef$' 2>/dev/null | head -n 1) && [ -n "$win" ] && break; sleep 0.2; done
  [ -n "$win" ] || { cat "$work/desktop.log"; echo "saferef: error: the desktop window did not appear"; exit 1; }
  xdotool windowmove "$win" 0 0 windowsize "$win" "$W" "$H" windowactivate --sync "$win" 2>/dev/null || true
  sleep 2
  # Again, once the app has sized its first window from the screen.
  xdotool windowmove "$win" 0 0 windowsize "$win" "$W" "$H" 2>/dev/null || true
  sleep 1
}
stop_desktop() { xdotool key --window "$win" ctrl+l 2>/dev/null || true; sleep 0.5; kill "${pids[-1]}" 2>/dev/null || true; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }
shot() { sleep "${2:-1.5}"; xwd -silent -id "$win" | convert xwd:- "$out/$1-$W.png"; echo "wrote $out/$1-$W.png"; }

run_size() {
  W=$1 H=$2
  work=$(mktemp -d /tmp/saferef-screens.XXXXXX)
  local listen=127.0.0.1:$port relay="ws://127.0.0.1:$port"
  # Each run gets its own desktop preferences (window size, theme).
  export HOME="$work/userhome"; mkdir -p "$HOME"
  "$bin/saferef-admin" dev-scheme --dir "$work/scheme" --relay "$relay" >"$work/dev-scheme.log" 2>&1 &
  local dev=$!
  for _ in $(seq 1 100); do [ -f "$work/scheme/scheme.json" ] && break; sleep 0.1; done
  "$bin/saferef-server" --data "$work/relay" --listen "$listen" --scheme "$work/scheme/scheme.json" 2>"$work/relay.log" &
  pids+=($!)
  wait "$dev" || { cat "$work/dev-scheme.log"; exit 1; }

  refuge="$work/scheme/homes/harbour-refuge"
  home_of() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([o["home"] for o in d["organisations"] if o["name"]==sys.argv[2]][0])' "$work/scheme/demo.json" "$1"; }
  weald_home=$(home_of "Weald Homes")
  valley_home=$(home_of "Medway Valley Housing")

  # Three referrals, to every landlord with homes in an acceptable district.
  cli --home "$refuge" sync >/dev/null
  cli --home "$refuge" details template >"$work/household.json"
  local n=0 case_id="" first=""
  for spec in "KMR-2026-0042|urgent|2026-12-20" "KMR-2026-0043|within 8 weeks|2027-02-01" "KMR-2026-0044|within 4 weeks|2027-01-10"; do
    IFS='|' read -r ref urg need <<<"$spec"
    cli --home "$refuge" referral template | python3 -c '
import json, sys
r = json.load(sys.stdin)
r["reference"], r["urgency"], r["needed_by"] = sys.argv[1], sys.argv[2], sys.argv[3]
r["districts_acceptable"].append("Dartford")
json.dump(r, sys.stdout)' "$ref" "$urg" "$need" >"$work/referral-$n.json"
    case_id=$(cli --home "$refuge" referral send --file "$work/referral-$n.json" --household "$work/household.json" | tail -n 1)
    [ -z "$first" ] && first=$case_id
    n=$((n + 1))
  done
  case_id=$first
  # Each landlord offers a home on the first.
  cli --home "$weald_home" sync >/dev/null
  cli --home "$weald_home" offer template >"$work/offer-weald.json"
  offer_weald=$(cli --home "$weald_home" offer send --case KMR-2026-0042 --file "$work/offer-weald.json" | tail -n 1)
  cli --home "$valley_home" sync >/dev/null
  cli --home "$valley_home" offer template | python3 -c '
import json, sys
o = json.load(sys.stdin)
o.update(property_type="house", bedrooms=3, floor=0, lift=False, adaptations=[], weekly_rent_pence=13875,
         available_from="2026-07-01", district="Dartford", address="14 Orchard Row, Dartford DA1 9ZZ",
         viewing="Viewing with the housing officer on a weekday afternoon; meet at the area office.", expires="")
json.dump(o, sys.stdout)' >"$work/offer-valley.json"
  cli --home "$valley_home" offer send --case KMR-2026-0042 --file "$work/offer-valley.json" >/dev/null
  cli --home "$weald_home" message send --case KMR-2026-0042 --text "The flat is ready for a viewing any weekday morning." >/dev/null || true

  # Geometry of the window at this size (Fyne units = pixels here): the
  # case list's header row and first row, the detail pane.
  local head_y=108 row_y=145 detail_x=$((W * 60 / 100 + 40)) needed_x=515 decide_x=699 decide_y=364
  if [ "$W" -ge 1366 ]; then needed_x=640 decide_x=1181 decide_y=283; fi

  start_desktop "$refuge"
  shot unlock
  typ "not my passphrase"; key Return
  shot unlock-wrong-passphrase 3
  typ "$SAFEREF_PASSPHRASE"; key Return
  shot case-list 6
  click "$needed_x" "$head_y"            # sort by "Needed by"
  shot case-list-sorted 1
  click "$needed_x" "$head_y"            # and back: latest first
  click "$needed_x" "$head_y"
  xdotool mousemove --window "$win" 60 "$row_y" click 1   # the case needing action
  shot case-view 3
  xdotool mousemove --window "$win" "$detail_x" 450; for _ in $(seq 1 14); do xdotool click 5; sleep 0.05; done
  shot offers 2

  # The confirmation before accepting an offer: the decision form, the first
  # offer, "Accept", Send (Ctrl+Enter), then Escape cancels it.
  xdotool mousemove --window "$win" "$detail_x" 300; for _ in $(seq 1 30); do xdotool click 4; sleep 0.03; done
  sleep 0.5
  click "$decide_x" "$decide_y" 1.5     # "Decide on an offer…"
  key space; key Tab; key Tab; key space # first offer, then "Accept this offer"
  key ctrl+Return
  shot accept-confirm 2
  key Escape; sleep 0.5                  # Escape cancels the acceptance
  key Escape; sleep 0.5                  # and leaves the form: "Leave this form?"
  key shift+Tab; key Return; sleep 1     # "Discard changes"

  # A new referral, left for another case: the app asks, keeps a draft, and
  # restores it.
  key ctrl+n; sleep 1
  typ "KMR-2026-0045"
  tabs 7; key ctrl+a; typ "ground floor, near ME15 9ZZ"
  key Tab
  shot new-referral-guard 2
  xdotool mousemove --window "$win" 60 "$row_y" click 1
  shot leave-form 2
  key shift+Tab; key shift+Tab; key Return   # "Keep as a draft"
  sleep 1.5
  key ctrl+n
  shot draft-restored 2
  key Escape; sleep 0.5
  key shift+Tab; key Return; sleep 0.5     # "Discard changes"

  key ctrl+o
  shot organisation 2
  key ctrl+o
  stop_desktop

  # The refuge accepts Weald's offer and releases the household's details
  # (CLI); Weald Homes' liaison officer opens the case.
  cli --home "$refuge" sync >/dev/null
  cli --home "$refuge" offer decide --case KMR-2026-0042 --offer "$offer_weald" --accept >/dev/null
  cp "$work/household.json" "$work/details.json"
  cli --home "$refuge" details release --case KMR-2026-0042 --file "$work/details.json" >"$work/readers.txt" 2>&1 || true
  digest=$(grep -oE -- '--confirm-readers [0-9a-f]+' "$work/readers.txt" | head -n 1 | cut -d' ' -f2)
  [ -n "$digest" ] || { cat "$work/readers.txt"; echo "saferef: error: no readers digest"; exit 1; }
  cli --home "$refuge" details release --case KMR-2026-0042 --file "$work/details.json" --confirm-readers "$digest" >/dev/null
  cli --home "$weald_home" sync >/dev/null
  start_desktop "$weald_home"
  typ "$SAFEREF_PASSPHRASE"; key Return; sleep 5
  xdotool mousemove --window "$win" 60 "$row_y" click 1
  shot household-details-landlord 3
  stop_desktop

  stop_all
  rm -rf "$work"; work=""
}

run_size 1366 768
run_size 1024 768
echo "screenshots: done"
