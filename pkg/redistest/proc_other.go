//go:build !linux

package redistest

import "os/exec"

// dieWithParent: only Linux can tie the child's life to ours; Stop ends it elsewhere.
func dieWithParent(*exec.Cmd) {}
