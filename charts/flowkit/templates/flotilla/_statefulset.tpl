{{/*
Flotilla's shared helper library: the headless Service governing a StatefulSet, and the
pre-upgrade hook that recreates a StatefulSet whose governing Service changed. Generated into
each chart that uses them as templates/flotilla/_statefulset.tpl from
pkg/chartkit/templates/_statefulset.tpl: edit it there.
*/}}

{{/* Name of the headless Service governing StatefulSet NAME (the argument): NAME-headless. */}}
{{- define "flotilla.governingServiceName" -}}
{{- printf "%s-headless" (. | trunc 54 | trimSuffix "-") -}}
{{- end -}}

{{/*
Headless Service governing a StatefulSet (its spec.serviceName: stable pod DNS names
NAME-0.SERVICE), beside the ClusterIP Service clients use: dict "ctx" $ "name" STATEFULSET
"component" C "ports" (list (dict "name" N "port" P) ...). Not-ready pods are published too, so
a pod can be reached by name while it starts.
*/}}
{{- define "flotilla.governingService" -}}
{{- $lbl := dict "ctx" .ctx "component" .component }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "flotilla.governingServiceName" .name }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  publishNotReadyAddresses: true
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
    {{- end }}
  selector:
    {{- include "flotilla.selectorLabels" $lbl | nindent 4 }}
{{- end -}}

{{/*
spec.serviceName of a StatefulSet is immutable, so an upgrade that moves one to another governing
Service fails. For each of dict "ctx" $ "statefulsets" (list (dict "name" N "serviceName" S) ...)
that exists (lookup) with another serviceName, this renders pre-upgrade hooks: a ServiceAccount, a
Role allowing get and delete on exactly those StatefulSets, its RoleBinding, and a Job running
flotilla-hook kube recreate-statefulset, which deletes them with propagationPolicy Orphan. Their
pods and PersistentVolumeClaims stay; the StatefulSet the upgrade then creates (same name and
selector) adopts them. Nothing renders on install, when every serviceName already matches, or
without a cluster to look up (helm template; GitOps tools: delete the StatefulSet with
kubectl delete statefulset NAME --cascade=orphan once, before syncing).
*/}}
{{- define "flotilla.statefulsetMigration" -}}
{{- $ := .ctx -}}
{{- $stale := list -}}
{{- if $.Release.IsUpgrade -}}
{{- range .statefulsets -}}
{{- $old := lookup "apps/v1" "StatefulSet" $.Release.Namespace .name -}}
{{- if and $old (ne (dig "spec" "serviceName" "" $old) .serviceName) -}}
{{- $stale = append $stale . -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $stale }}
{{- include "flotilla.statefulset.migrationHooks" (dict "ctx" $ "stale" $stale) }}
{{- end }}
{{- end -}}

{{/* The body of flotilla.statefulset.migrationHooks is in files/flotilla/statefulset.tpl, parsed only when called. */}}
{{- define "flotilla.statefulset.migrationHooks" -}}
{{- include "flotilla.lazy" (dict "file" "statefulset" "name" "flotilla.statefulset.migrationHooks" "args" .) -}}
{{- end -}}
