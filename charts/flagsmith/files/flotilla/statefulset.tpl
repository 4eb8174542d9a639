{{- /*
Flotilla's shared helper library: the headless Service governing a StatefulSet, and the
pre-upgrade hook that recreates a StatefulSet whose governing Service changed. Generated into
each chart that uses them as templates/flotilla/_statefulset.tpl from
pkg/chartkit/templates/_statefulset.tpl: edit it there.
*/}}

{{- /*
The hooks of flotilla.statefulsetMigration: dict "ctx" $ "stale" (list (dict "name" N ...) ...).
Lazy: only on an upgrade that finds a StatefulSet to migrate.
*/}}
{{- define "flotilla.statefulset.migrationHooks#lazy" -}}
{{- $ := .ctx -}}
{{- $stale := .stale -}}
{{- $h := $.Values.hook -}}
{{- $name := printf "%s-statefulset-migrate" (include "flotilla.fullname" $ | trunc 41 | trimSuffix "-") -}}
{{- $lbl := dict "ctx" $ "component" "statefulset-migrate" -}}
{{- $names := list -}}
{{- range $stale }}{{ $names = append $names .name }}{{ end }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
rules:
  - apiGroups: ["apps"]
    resources: ["statefulsets"]
    resourceNames: {{ toJson $names }}
    verbs: ["get", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ $name }}
    namespace: {{ $.Release.Namespace }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ $name }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 2
  activeDeadlineSeconds: 300
  template:
    metadata:
      labels:
        {{- include "flotilla.selectorLabels" $lbl | nindent 8 }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: true
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      {{- with include "flotilla.scheduling" $ | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: recreate-statefulset
          image: {{ include "flotilla.image" (dict "image" $h.image "default" $.Chart.AppVersion) }}
          imagePullPolicy: {{ $h.image.pullPolicy }}
          args:
            - kube
            - recreate-statefulset
            {{- range $stale }}
            - {{ printf "--statefulset=%s=%s" .name .serviceName | quote }}
            {{- end }}
            - --timeout=240s
            - --log-format=json
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            runAsUser: 65532
            runAsGroup: 65532
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          {{- with $h.resources }}
          resources: {{ toJson . }}
          {{- end }}
{{- end -}}
