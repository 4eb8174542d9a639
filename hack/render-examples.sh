#!/usr/bin/env bash
# Renders every chart with its defaults and with every example (manifests, hooks and NOTES) into
# OUT/<chart>/<example>.yaml, so a refactor can be checked byte for byte:
#   hack/render-examples.sh /tmp/before; (change); hack/render-examples.sh /tmp/after; diff -r /tmp/before /tmp/after
# Generated secret values (random on every render) are written as "<random>". FLOTILLA overrides the
# command (default: ./cmd/flotilla, built once).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: hack/render-examples.sh OUTDIR}
flotilla=${FLOTILLA:-}
if [ -z "$flotilla" ]; then
  go build -o "$out/.flotilla" ./cmd/flotilla
  flotilla="$out/.flotilla"
fi
mask() { sed -E 's#^(  [A-Za-z0-9_.-]+: )"[A-Za-z0-9+/=]{16,}"$#\1"<random>"#'; }
for chart in charts/*/Chart.yaml; do
  chart=$(basename "$(dirname "$chart")")
  mkdir -p "$out/$chart"
  "$flotilla" render "$chart" --notes | mask > "$out/$chart/defaults.yaml"
  "$flotilla" render "$chart" --notes --release "$chart" --set nameOverride=x --set fullnameOverride=y-z | mask > "$out/$chart/overrides.yaml"
  for ex in examples/"$chart"/*.yaml; do
    "$flotilla" render "$chart" --notes --release "$chart" --namespace ns -f "$ex" | mask > "$out/$chart/$(basename "$ex")"
  done
done
rm -f "$out/.flotilla"
