{{/*
Flotilla's shared helper library, names and labels. Generated into each chart that uses them as
templates/flotilla/_names.tpl from pkg/chartkit/templates/_names.tpl: edit it there. The library is
one file per concept (pkg/chartkit/templates/_<concept>.tpl) and one helper per object; helpers take
the root context as "ctx" where they need it and never include each other more than one level deep,
so renders stay cheap.

Per-render memo: Helm cannot share work between template files, and the release's full name and
the label lines every component shares are needed by almost every object. flotilla.fullname and
flotilla.labelParts compute them once per render and keep them in the root context ($) under
"flotillaFullname" and "flotillaLabels". Helm builds that map afresh for every render (and sets
.Template in it itself before each template), so nothing outlives the render; the values they
derive from (.Chart, .Release, nameOverride, fullnameOverride) do not change during one.
*/}}

{{/* Chart name, honouring nameOverride. */}}
{{- define "flotilla.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Release-scoped full name, honouring fullnameOverride; the prefix of every object name. The
release name alone when it already contains the chart name. Memoised per render (see the top).
*/}}
{{- define "flotilla.fullname" -}}
{{- if not (index . "flotillaFullname") -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- $_ := set . "flotillaFullname" (default (ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name)) .Values.fullnameOverride | trunc 63 | trimSuffix "-") -}}
{{- end -}}
{{- .flotillaFullname -}}
{{- end -}}

{{/*
Label lines shared by every component of the release, stored in the root context as
"flotillaLabels" (dict "selector" S "rest" R) once per render (see the top). Renders nothing.
"rest" ends with commonLabels (never in "selector": selectors are immutable on upgrade).
Values from users (nameOverride, the release name, commonLabels) are quoted: "true", "on" or "0x10" are valid
names that YAML would otherwise read as a boolean or a number.
*/}}
{{- define "flotilla.labelParts" -}}
{{- $name := default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- $chart := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- $rest := printf "app.kubernetes.io/version: %s\napp.kubernetes.io/managed-by: %s\napp.kubernetes.io/part-of: %s\nhelm.sh/chart: %s" (quote .Chart.AppVersion) .Release.Service (quote $name) (quote $chart) -}}
{{- range $k, $v := .Values.commonLabels }}{{ $rest = printf "%s\n%s: %s" $rest (quote $k) (quote $v) }}{{ end -}}
{{- $_ := set . "flotillaLabels" (dict "selector" (printf "app.kubernetes.io/name: %s\napp.kubernetes.io/instance: %s" (quote $name) (quote .Release.Name)) "rest" $rest) -}}
{{- end -}}

{{/* Selector labels of a component: dict "ctx" $ "component" "main". Never change across upgrades. */}}
{{- define "flotilla.selectorLabels" -}}
{{- if not (index .ctx "flotillaLabels") }}{{ include "flotilla.labelParts" .ctx }}{{ end -}}
{{ .ctx.flotillaLabels.selector }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Common labels of a component: dict "ctx" $ "component" "main" (a superset of the selector labels). */}}
{{- define "flotilla.labels" -}}
{{- if not (index .ctx "flotillaLabels") }}{{ include "flotilla.labelParts" .ctx }}{{ end -}}
{{ .ctx.flotillaLabels.selector }}
app.kubernetes.io/component: {{ .component }}
{{ .ctx.flotillaLabels.rest }}
{{- end -}}

{{/*
Pod template metadata of a component: its labels plus podLabels (but those commonLabels sets:
a key twice is invalid), and podAnnotations. dict "ctx" $
"component" C, and "labels" when the caller has already rendered flotilla.labels.
*/}}
{{- define "flotilla.podMetadata" -}}
labels:
  {{- if .labels }}{{ .labels | nindent 2 }}{{ else }}{{ include "flotilla.labels" . | nindent 2 }}{{ end }}
  {{- range $k, $v := .ctx.Values.podLabels }}
  {{- if not (hasKey $.ctx.Values.commonLabels $k) }}
  {{ quote $k }}: {{ quote $v }}
  {{- end }}
  {{- end }}
{{- with .ctx.Values.podAnnotations }}
annotations: {{ toJson . }}
{{- end }}
{{- end -}}
