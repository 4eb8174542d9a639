{{/*
Flotilla's shared helper library: secrets: generated once and kept, from values, referenced from
env; Fernet keys and RSA key pairs. Generated into each chart that uses them as
templates/flotilla/_secrets.tpl from pkg/chartkit/templates/_secrets.tpl: edit it there.
*/}}

{{/*
Secret whose values are generated once and kept: dict "ctx" $ "name" NAME "component" C
"keys" (list (dict "key" K "value" EXPLICIT "length" N) ...). An explicit value wins; else the
value already in the cluster (lookup) is kept; else a random one is made. helm.sh/resource-policy
keep leaves it in place on uninstall so a reinstall finds and reuses it. `helm template` has no
cluster to look into, so there every render makes new random values.
*/}}
{{- define "flotilla.generatedSecret" -}}
{{- $existing := dict -}}
{{- with lookup "v1" "Secret" .ctx.Release.Namespace .name -}}{{- $existing = .data | default dict -}}{{- end }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
data:
{{- range .keys }}
  {{- if .value }}
  {{ .key }}: {{ .value | toString | b64enc | quote }}
  {{- else if hasKey $existing .key }}
  {{ .key }}: {{ index $existing .key | quote }}
  {{- else }}
  {{ .key }}: {{ randAlphaNum (.length | default 40) | b64enc | quote }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Secret holding values given in the chart's values (no generation): dict "ctx" $ "name" N "component" C "data" (dict K V ...). */}}
{{- define "flotilla.valuesSecret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "flotilla.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
type: Opaque
data:
{{- range $k, $v := .data }}
  {{ $k }}: {{ $v | toString | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* One env var read from a Secret key: dict "name" ENV "secret" S "key" K. */}}
{{- define "flotilla.secretEnv" -}}
- name: {{ .name | quote }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
{{- end -}}
