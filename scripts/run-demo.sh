#!/usr/bin/env bash
# run-demo.sh BIN DEMO_DIR LISTEN: start a relay on loopback with the demo
# Kent and Medway scheme, creating the scheme on first run. Used by `make run`.
set -euo pipefail
bin=$1 demo=$2 listen=$3
relay="ws://$listen"
mkdir -p "$demo"
chmod 700 "$demo"

if [ ! -f "$demo/scheme/demo.txt" ]; then
  echo "creating the demo scheme in $demo/scheme (first run)..."
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

"$bin/saferef-server" --data "$demo/relay" --listen "$listen" --scheme "$demo/scheme/scheme.json" 2>>"$demo/relay.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

if [ -n "${dev:-}" ]; then
  if ! wait "$dev"; then
    cat "$demo/dev-scheme.log"; echo "saferef: error: the demo scheme could not be published"; exit 1
  fi
  cat "$demo/dev-scheme.log"
fi

cat <<MSG

Saferef relay running on $relay (logs: $demo/relay.log). Press Ctrl-C to stop.

Demo devices and their passphrases (DEMO ONLY) are listed in $demo/scheme/demo.txt.
Try, in another terminal:

  export SAFEREF_PASSPHRASE=...          # the refuge's demo passphrase from demo.txt
  $bin/saferef --home $demo/scheme/homes/harbour-refuge referral template > referral.json
  $bin/saferef --home $demo/scheme/homes/harbour-refuge sync
  $bin/saferef --home $demo/scheme/homes/harbour-refuge referral send --to ORG_ID --file referral.json

MSG
wait $server
