// Command flotilla-hook is the companion binary Flotilla's charts run as Helm hook Jobs,
// init containers and CronJobs: it waits for and bootstraps PostgreSQL databases and prunes
// FlowKit/FlowDB query caches. Run `flotilla-hook --help`; the command line is pkg/hookcli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/flotilla/flotilla/pkg/hookcli"
)

// SIGTERM (what Kubernetes sends a pod) cancels the running command like Ctrl-C, so its
// server-side work is cancelled and its open transaction rolled back before exit.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := hookcli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
