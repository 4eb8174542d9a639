// Package catalog lists the chart definitions Flotilla generates.
package catalog

import (
	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/charts/flagsmith"
	"github.com/flotilla/flotilla/pkg/charts/flowise"
	"github.com/flotilla/flotilla/pkg/charts/flowkit"
)

// Charts returns every chart definition, in a stable order.
func Charts() []chartkit.Chart {
	return []chartkit.Chart{flagsmith.Chart(), flowise.Chart(), flowkit.Chart()}
}
