#!/usr/bin/env bash
# screenshots.sh BIN: run the real desktop app under Xvfb against a local
# relay with the demo scheme, drive it with xdotool through unlock (a wrong
# passphrase first), the case list, a case and the new-referral form, and
# capture the real window from outside with xwd (the in-app canvas capture is
# blank under Xvfb's software GL). PNGs go to docs/screenshots/.
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
landlord=$(org_of "Medway Valley Housing")
landlord_home=$(home_of "Medway Valley Housing")

# A referral from the refuge to the landlord, and a reply, so the case list
# and case view have something in them.
"$bin/saferef" --home "$refuge" sync >/dev/null
"$bin/saferef" --home "$refuge" referral template >"$work/referral.json"
case_id=$("$bin/saferef" --home "$refuge" referral send --to "$landlord" --file "$work/referral.json" | tail -n 1)
"$bin/saferef" --home "$landlord_home" sync >/dev/null
"$bin/saferef" --home "$landlord_home" message send --case "$case_id" --text "We may have a two-bedroom home next month; can the household view on Tuesday?" >/dev/null

"$bin/saferef-desktop" --home "$refuge" >"$work/desktop.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 1 100); do win=$(xdotool search --name '^Saferef$' 2>/dev/null | head -n 1) && [ -n "$win" ] && break; sleep 0.2; done
[ -n "$win" ] || { cat "$work/desktop.log"; echo "saferef: error: the desktop window did not appear"; exit 1; }
xdotool windowmove "$win" 0 0 windowsize "$win" 1180 760 windowactivate --sync "$win" 2>/dev/null || true
sleep 2

mkdir -p "$out"
shot() { sleep "${2:-1.5}"; xwd -silent -id "$win" | convert xwd:- "$out/$1.png"; echo "wrote $out/$1.png"; }

shot unlock
xdotool type --delay 40 "not my passphrase"; xdotool key Return
shot unlock-wrong-passphrase 3
xdotool type --delay 40 "$SAFEREF_PASSPHRASE"; xdotool key Return
shot case-list 5
# Open the first case by clicking its row.
xdotool mousemove --window "$win" 430 140 click 1
shot case-view 3
xdotool key ctrl+n
shot new-referral 2
