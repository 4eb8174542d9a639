// Command flotilla generates Flotilla's Helm charts and renders, validates and describes them.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/flotilla/flotilla/pkg/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
