//go:build tools

// Package tools pins chart-testing (ct) for the e2e harness.
package tools

import (
	_ "github.com/helm/chart-testing/v3/ct"
)
