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

{{/* The body of flotilla.secretsHook is in files/flotilla/secrets.tpl, parsed only when called. */}}
{{- define "flotilla.secretsHook" -}}
{{- include "flotilla.lazy" (dict "file" "secrets" "name" "flotilla.secretsHook" "args" .) -}}
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
