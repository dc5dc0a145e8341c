// Command ptdv is the one binary of ptdv: the GraphQL server, migrations, the demo, tokens and the
// nightly analytics job. main only parses the command line; run does the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, errUsage) {
		fmt.Fprintln(os.Stderr, "ptdv:", err)
	}
	if err != nil {
		os.Exit(exitCode(err))
	}
}
