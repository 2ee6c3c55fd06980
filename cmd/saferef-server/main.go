// Command saferef-server runs a Saferef relay: it stores and forwards
// end-to-end encrypted referral envelopes between the organisations of one
// scheme, and sees nothing but ciphertext.
//
// Usage:
//
//	saferef-server --data DIR --listen ADDR --scheme SCHEME_FILE [--tls-cert F --tls-key F]
//
// Plain ws:// is accepted only on a loopback address; anything else needs
// TLS. Run `saferef-server -h` for every flag.
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
