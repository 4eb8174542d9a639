// Command flotilla-hook is the companion binary Flotilla's charts run as Helm hook Jobs,
// init containers and CronJobs: it waits for and bootstraps PostgreSQL databases and prunes
// FlowKit/FlowDB query caches. Run `flotilla-hook --help`.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
