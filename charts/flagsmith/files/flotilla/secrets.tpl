{{- /*
Flotilla's shared helper library: secrets: generated once and kept (rendered with lookup, or created by
the secrets hook Job), from values, referenced from env; Fernet keys and RSA key pairs. Generated into each
chart that uses them as templates/flotilla/_secrets.tpl from pkg/chartkit/templates/_secrets.tpl: edit it there.
*/}}

{{- /*
secrets.generation hook: the pre-install,pre-upgrade Job running `flotilla-hook secrets ensure`,
which creates each Secret of "secrets" (flotilla.generatedSecrets' items) that is missing with
random values of its keys' shapes, adds only the keys an existing one lacks and never changes a
value. Argo CD runs Helm hooks as PreSync hooks (weights as sync waves), so it runs before the
pods, and before the chart's other hooks (weight 0 and -5). Its ServiceAccount, Role and
RoleBinding are hooks too, created first and deleted once the hooks succeed. RBAC: get and
patch only on those Secret names; create cannot be limited by name (the name is not known when
the request is authorised), so the Job may create any Secret of the namespace while it runs.
The Secrets it creates are not part of the release: helm uninstall leaves them, a reinstall or
another tool's sync reuses them; they carry no app.kubernetes.io/instance label, so Argo CD's
label tracking does not see (or prune) them.
Lazy: only with secrets.generation hook.
*/}}
{{- define "flotilla.secretsHook#lazy" -}}
{{- $ := .ctx -}}
{{- $h := $.Values.hook -}}
{{- $name := printf "%s-secrets" (include "flotilla.fullname" $) | trunc 63 | trimSuffix "-" -}}
{{- $lbl := dict "ctx" $ "component" "secrets" -}}
{{- $labels := include "flotilla.labels" $lbl -}}
{{- $names := list -}}
{{- $args := list "secrets" "ensure" (printf "--namespace=%s" $.Release.Namespace) -}}
{{- range .secrets -}}
{{- $names = append $names .name -}}
{{- $keys := list -}}
{{- range .keys -}}
{{- $shape := .shape | default "random" -}}
{{- if eq $shape "random" }}{{ $shape = printf "random:%d" (int (.length | default 40)) }}{{ end -}}
{{- $keys = append $keys (printf "%s=%s" .key $shape) -}}
{{- end -}}
{{- $args = append $args (printf "--secret=%s:%s" .name (join "," $keys)) -}}
{{- end -}}
{{- $args = append $args (printf "--label=app.kubernetes.io/name=%s" (include "flotilla.name" $)) -}}
{{- $hookMeta := "helm.sh/hook: pre-install,pre-upgrade\nhelm.sh/hook-weight: \"-20\"\nhelm.sh/hook-delete-policy: before-hook-creation,hook-succeeded" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
  annotations:
    {{- $hookMeta | nindent 4 }}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
  annotations:
    {{- $hookMeta | nindent 4 }}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: {{ toJson $names }}
    verbs: ["get", "patch"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
  annotations:
    {{- $hookMeta | nindent 4 }}
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
    {{- $labels | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $h.backoffLimit | default 3 }}
  activeDeadlineSeconds: {{ $h.activeDeadlineSeconds | default 600 }}
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
        - name: secrets
          image: {{ include "flotilla.image" (dict "image" $h.image "default" $.Chart.AppVersion) }}
          imagePullPolicy: {{ $h.image.pullPolicy }}
          args:
            {{- range $args }}
            - {{ . | quote }}
            {{- end }}
            - --timeout={{ $h.timeout }}
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
