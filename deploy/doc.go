// Package deploy holds the files an operator deploys the relay with — the
// systemd unit, the container image definition, the nginx snippet and the
// Prometheus alert rules — and the tests that check each of them with the
// real tool (systemd-analyze, the Go toolchain, nginx, promtool).
// docs/OPERATIONS.md is the runbook that uses them.
package deploy
