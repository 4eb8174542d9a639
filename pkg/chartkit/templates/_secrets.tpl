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

{{/*
Value of one key of a Secret already in the cluster, decoded; "" when the Secret or key is
absent (and always under `helm template`): dict "ctx" $ "name" SECRET "key" K. Lets a chart keep
a generated value whose format randAlphaNum cannot produce (Fernet keys, key pairs).
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

{{/*
Secret with an RSA key pair generated once and kept (helm.sh/resource-policy keep): dict "ctx" $
"name" N "component" C "privateKey" KEY "publicKey" KEY. A pair already in the cluster is reused
as is; else a 4096-bit key is generated and its public half derived with flotilla.rsaPublicKey.
*/}}
{{- define "flotilla.rsaKeyPairSecret" -}}
{{- $priv := include "flotilla.existingSecretValue" (dict "ctx" .ctx "name" .name "key" .privateKey) -}}
{{- $pub := include "flotilla.existingSecretValue" (dict "ctx" .ctx "name" .name "key" .publicKey) -}}
{{- if not (and $priv $pub) -}}
{{- $priv = genPrivateKey "rsa" -}}
{{- $pub = include "flotilla.rsaPublicKey" $priv -}}
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
  {{ .privateKey }}: {{ $priv | b64enc | quote }}
  {{ .publicKey }}: {{ $pub | b64enc | quote }}
{{- end -}}
