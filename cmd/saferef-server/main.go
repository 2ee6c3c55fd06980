// Command saferef-server runs a Saferef relay: it stores and forwards
// end-to-end encrypted referral envelopes between the organisations of one
// scheme, and sees nothing but ciphertext.
//
// Usage:
//
//	saferef-server --data DIR --listen ADDR --scheme SCHEME_FILE [--tls-cert F --tls-key F | --acme-domain D --acme-email E] [--admin-listen ADDR]
//	saferef-server backup --data DIR --out FILE
//	saferef-server restore --data DIR --from FILE
//	saferef-server check --data DIR | --postgres DSN [--scheme SCHEME_FILE ...]
//
// Plain ws:// is accepted only on a loopback address; anything else needs
// TLS (own certificate files, or ACME). The public port serves only the
// websocket endpoint and /healthz; metrics are served on --admin-listen.
// Run `saferef-server -h` for every flag; docs/OPERATIONS.md is the
// operator's runbook.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
