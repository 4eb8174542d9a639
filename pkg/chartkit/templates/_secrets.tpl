{{/*
Flotilla's shared helper library: secrets: generated once and kept (rendered with lookup, or created by
the secrets hook Job), from values, referenced from env; Fernet keys and RSA key pairs. Generated into each
chart that uses them as templates/flotilla/_secrets.tpl from pkg/chartkit/templates/_secrets.tpl: edit it there.
*/}}

{{/*
The Secrets a chart generates: dict "ctx" $ "secrets" LIST. LIST is the chart's one list of them
(a <chart>.generatedSecrets template, also read by NOTES.txt): dict "name" N "component" C "keys"
(list (dict "key" K "shape" S "length" L "value" V)), shape random (default; L letters and digits,
default 40), fernet, rsa-private-key or rsa-public-key (the pair of one Secret); an explicit value
(from the values) wins.
secrets.generation helm: each is rendered by flotilla.generatedSecret. hook: none is rendered with
a random value: a Secret whose every key is explicit is rendered as it is, the others are created
in the cluster by the flotilla.secretsHook Job, so every render of the chart is the same.
*/}}
{{- define "flotilla.generatedSecrets" -}}
{{- $hook := list -}}
{{- range .secrets -}}
{{- $explicit := list -}}
{{- range .keys }}{{ if .value }}{{ $explicit = append $explicit .key }}{{ end }}{{ end -}}
{{- if and (eq $.ctx.Values.secrets.generation "hook") (ne (len $explicit) (len .keys)) -}}
{{- if $explicit -}}
{{- fail (printf "Secret %s mixes keys given in the values (%s) with generated ones: secrets.generation hook cannot create it; give all its keys, or none, or an existing Secret" .name (join ", " $explicit)) -}}
{{- end -}}
{{- $hook = append $hook . -}}
{{- else }}
---
{{ include "flotilla.generatedSecret" (merge (dict "ctx" $.ctx) .) }}
{{- end -}}
{{- end -}}
{{- with $hook }}
---
{{ include "flotilla.secretsHook" (dict "ctx" $.ctx "secrets" .) }}
{{- end -}}
{{- end -}}

{{/*
Secret whose values are generated once and kept: one item of flotilla.generatedSecrets' LIST
with "ctx" $. An explicit value wins; else the value already in the cluster (lookup) is kept (an
RSA pair only when both halves are there); else a random one is made. helm.sh/resource-policy
keep leaves it in place on uninstall so a reinstall finds and reuses it. `helm template` has no
cluster to look into, so there every render makes new random values: secrets.generation hook.
*/}}
{{- define "flotilla.generatedSecret" -}}
{{- $existing := dict -}}
{{- with lookup "v1" "Secret" .ctx.Release.Namespace .name -}}{{- $existing = .data | default dict -}}{{- end -}}
{{- $privKey := "" -}}{{- $pubKey := "" -}}
{{- range .keys -}}
{{- if eq (toString .shape) "rsa-private-key" }}{{ $privKey = .key }}{{ else if eq (toString .shape) "rsa-public-key" }}{{ $pubKey = .key }}{{ end -}}
{{- end -}}
{{- $pair := dict -}}
{{- if and $privKey (hasKey $existing $privKey) (hasKey $existing $pubKey) -}}
{{- $pair = dict "priv" (index $existing $privKey) "pub" (index $existing $pubKey) -}}
{{- else if $privKey -}}
{{- $priv := genPrivateKey "rsa" -}}
{{- $pair = dict "priv" (b64enc $priv) "pub" (include "flotilla.rsaPublicKey" $priv | b64enc) -}}
{{- end }}
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
  {{- $shape := .shape | default "random" }}
  {{- if .value }}
  {{ .key }}: {{ .value | toString | b64enc | quote }}
  {{- else if eq $shape "rsa-private-key" }}
  {{ .key }}: {{ $pair.priv | quote }}
  {{- else if eq $shape "rsa-public-key" }}
  {{ .key }}: {{ $pair.pub | quote }}
  {{- else if hasKey $existing .key }}
  {{ .key }}: {{ index $existing .key | quote }}
  {{- else if eq $shape "fernet" }}
  {{ .key }}: {{ include "flotilla.fernetKey" . | b64enc | quote }}
  {{- else }}
  {{ .key }}: {{ randAlphaNum (int (.length | default 40)) | b64enc | quote }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
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
{{- define "flotilla.secretsHook" -}}
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

{{/*
NOTES.txt lines for generated Secrets: dict "ctx" $ "secrets" LIST (as flotilla.generatedSecrets).
In helm mode a render that finds nothing in the cluster (helm template, --dry-run, Argo CD; or a
namespace that does not exist yet) makes new random values: applying such output replaces the
ones in use. The namespace's kube-root-ca.crt ConfigMap, which Kubernetes puts in every
namespace, tells a cluster render from one without a cluster.
*/}}
{{- define "flotilla.generatedSecretsNotes" -}}
{{- $ := .ctx -}}
{{- $names := list -}}
{{- range .secrets -}}
{{- $random := false -}}
{{- range .keys }}{{ if not .value }}{{ $random = true }}{{ end }}{{ end -}}
{{- if $random }}{{ $names = append $names .name }}{{ end -}}
{{- end -}}
{{- if $names -}}
{{- if eq $.Values.secrets.generation "hook" }}

Generated Secrets ({{ join ", " $names }}) are created once by the pre-install/pre-upgrade Job
{{ include "flotilla.fullname" $ }}-secrets (secrets.generation: hook) and never changed. They are not part of
the release: helm uninstall leaves them; delete them yourself to start over.
{{- else if not (lookup "v1" "ConfigMap" $.Release.Namespace "kube-root-ca.crt") }}

WARNING: this render found no cluster to look into (helm template, --dry-run, Argo CD, or a namespace
that does not exist yet): the generated Secrets {{ join ", " $names }} hold NEW random values. Applying
this output (kubectl apply, Argo CD sync) replaces the passwords and keys in use on every render.
With Argo CD or any tool that renders with helm template, set secrets.generation: hook.
{{- end -}}
{{- end -}}
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

{{/*
Value of one key of a Secret already in the cluster, decoded; "" when the Secret or key is
absent (and always under `helm template`): dict "ctx" $ "name" SECRET "key" K. Lets a chart
check a value against the one it ran with (Flowise's encryption key fingerprint).
*/}}
{{- define "flotilla.existingSecretValue" -}}
{{- with lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- with .data -}}{{- with index . $.key -}}{{- b64dec . -}}{{- end -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/* A random Fernet key: url-safe base64 of 32 random printable bytes (~210 bits), the shape Python's cryptography.fernet expects. */}}
{{- define "flotilla.fernetKey" -}}
{{- randAscii 32 | b64enc | replace "+" "-" | replace "/" "_" -}}
{{- end -}}

{{/*
PEM public key (SubjectPublicKeyInfo) of a PEM RSA private key as sprig's genPrivateKey "rsa"
writes it: PKCS#1, 4096 bits, exponent 65537. Sprig cannot derive public keys, but for that one
shape the DER layout is fixed: the modulus and exponent sit at bytes 7..529 of the private key,
and the SPKI header around them is constant. Any other key fails the render rather than yield a
wrong public key.
*/}}
{{- define "flotilla.rsaPublicKey" -}}
{{- $der := regexReplaceAll "-----[A-Z ]+-----|\\s" . "" | b64dec -}}
{{- if or (lt (len $der) 529) (ne (substr 4 12 $der | b64enc) "AgEAAoICAQA=") (ne (substr 524 529 $der | b64enc) "AgMBAAE=") -}}
{{- fail "flotilla.rsaPublicKey: the private key is not a PKCS#1 4096-bit RSA key with exponent 65537; supply both keys in a Secret instead" -}}
{{- end -}}
{{- $spki := printf "%s%s" (b64dec "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCg==") (substr 7 529 $der) -}}
{{- printf "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" (b64enc $spki | wrapWith 64 "\n") -}}
{{- end -}}
