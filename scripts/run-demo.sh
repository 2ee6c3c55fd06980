#!/usr/bin/env bash
# run-demo.sh BIN DEMO_DIR LISTEN: start a relay on loopback with the demo
# Kent and Medway scheme, creating the scheme on first run. Used by `make run`.
set -euo pipefail
bin=$1 demo=$2 listen=$3
relay="ws://$listen"
mkdir -p "$demo"
chmod 700 "$demo"

if [ ! -f "$demo/scheme/demo.txt" ]; then
  echo "creating the demo scheme in $demo/scheme (first run: about 15 s, each demo key is sealed with a deliberately slow passphrase hash)..."
  rm -rf "$demo/scheme" "$demo/relay"
  # dev-scheme writes scheme.json first, then waits for the relay to come up
  # to publish the organisations and devices to it.
  "$bin/saferef-admin" dev-scheme --dir "$demo/scheme" --relay "$relay" >"$demo/dev-scheme.log" 2>&1 &
  dev=$!
  for _ in $(seq 1 100); do [ -f "$demo/scheme/scheme.json" ] && break; sleep 0.1; done
  if [ ! -f "$demo/scheme/scheme.json" ]; then
    cat "$demo/dev-scheme.log"; echo "saferef: error: the demo scheme was not created"; exit 1
  fi
fi

host=${listen%:*} port=${listen##*:}
listening() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
if listening; then
  echo "saferef: error: something is already listening on $listen (another 'make run'?)"
  echo "saferef: hint: stop it (Ctrl-C in its terminal), or run on another address: make run LISTEN=127.0.0.1:8444"
  [ -n "${dev:-}" ] && kill "$dev" 2>/dev/null
  exit 1
fi

"$bin/saferef-server" --data "$demo/relay" --listen "$listen" --scheme "$demo/scheme/scheme.json" 2>>"$demo/relay.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

# Wait until the relay listens; if it exits instead, say why.
for _ in $(seq 1 100); do
  listening && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "saferef: error: the relay did not start; the end of $demo/relay.log says:"
    tail -n 5 "$demo/relay.log" | sed 's/^/  /'
    echo "saferef: hint: fix what the log says, or start afresh with 'make demo-reset' then 'make run'"
    [ -n "${dev:-}" ] && kill "$dev" 2>/dev/null
    exit 1
  fi
  sleep 0.1
done

if [ -n "${dev:-}" ]; then
  if ! wait "$dev"; then
    cat "$demo/dev-scheme.log"; echo "saferef: error: the demo scheme could not be published"; exit 1
  fi
  cat "$demo/dev-scheme.log"
fi

# Pull the refuge's and a landlord's details out of demo.json for the hints.
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); o=[o for o in d["organisations"] if o["name"]==sys.argv[2]][0]; print(o[sys.argv[3]])' "$demo/scheme/demo.json" "$1" "$2" 2>/dev/null || echo "$3"; }
refuge_home=$(field "Harbour Refuge" home HOME)
refuge_pass=$(field "Harbour Refuge" passphrase PASSPHRASE)
weald_home=$(field "Weald Homes" home HOME)
weald_pass=$(field "Weald Homes" passphrase PASSPHRASE)
weald_org=$(field "Weald Homes" org ORG_ID)

cat <<MSG

Saferef relay running on $relay (logs: $demo/relay.log). Press Ctrl-C to stop.
Every demo organisation, home and passphrase (DEMO ONLY) is in $demo/scheme/demo.txt.

Try, in another terminal — a refuge caseworker refers a household to Weald Homes:

  SAFEREF_PASSPHRASE=$refuge_pass $bin/saferef --home $refuge_home referral template > referral.json
  SAFEREF_PASSPHRASE=$refuge_pass $bin/saferef --home $refuge_home details template > household.json
  SAFEREF_PASSPHRASE=$refuge_pass $bin/saferef --home $refuge_home referral send --to $weald_org --file referral.json --household household.json

(household.json is the household's details: it stays sealed on the refuge's
devices and is sent to nobody until released to the landlord whose offer is
accepted; every send in the case is checked against it.)

and Weald Homes' liaison officer reads it:

  SAFEREF_PASSPHRASE=$weald_pass $bin/saferef --home $weald_home sync
  SAFEREF_PASSPHRASE=$weald_pass $bin/saferef --home $weald_home cases list

MSG
if [ -n "${DISPLAY:-}" ] && [ -x "$bin/saferef-desktop" ]; then
  echo "Opening the desktop app as the demo refuge caseworker (passphrase in demo.txt)..."
  LANG=${LANG:-en_GB.UTF-8} "$bin/saferef-desktop" --home "$demo/scheme/homes/harbour-refuge" 2>>"$demo/desktop.log" &
  desktop=$!
  trap 'kill $server $desktop 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
fi
wait $server
