{{- /*
Flotilla's shared helper library: the status endpoint (flotilla-hook status serve): its keys
Secret, Deployment, Service and Ingress. Generated into each chart that uses them as
templates/flotilla/_status.tpl from pkg/chartkit/templates/_status.tpl: edit it there.
*/}}

{{- /*
The status endpoint of a release, when .Values.status.enabled: dict "ctx" $ "checks" (list ...),
each check one of
  (dict "kind" "http" "name" N "url" URL)
  (dict "kind" "tcp" "name" N "addr" HOST:PORT)
  (dict "kind" "postgres" "name" N "pg" PG)   PG as for flotilla.hook.container (host port database
      user sslmode secret key, optional caSecret/caConfigMap + caKey, sslrootcert), or
      (dict "urlSecret" S "urlKey" K) for a DATABASE_URL Secret
  (dict "kind" "redis" "name" N "redis" R)    R as flotilla.redis.connection gives it (host port
      username tls secret key), optionally caSecret with caKey, certKey, keyKey (TLS material)
  (dict "kind" "s3" "name" N "s3" S)          S: bucket endpoint region forcePathStyle, optional
      secret with idKey and secretKey (else IAM), caSecret or caConfigMap with caKey.
Every password, key and CA comes from the app's own Secrets, mounted read-only as files under
/run/flotilla/status/<name>/ and re-read on every check (a rotated Secret needs no restart); no
secret is ever in the pod spec.
Lazy: off by default (status.enabled).
*/}}
{{- define "flotilla.status#lazy" -}}
{{- $ := .ctx -}}
{{- $s := $.Values.status -}}
{{- if $s.enabled }}
{{- $name := include "flotilla.status.fullname" $ -}}
{{- $lbl := dict "ctx" $ "component" "status" -}}
{{- $labels := include "flotilla.labels" $lbl -}}
{{- $keysSecret := default $name $s.existingSecret -}}
{{- $keysKey := ternary $s.existingSecretKeysKey "status-keys" (ne $s.existingSecret "") -}}
{{- $args := list "status" "serve" "--listen=:8080" "--log-format=json" "--keys-file=/run/flotilla/status-keys/keys" (printf "--check-timeout=%s" $s.checkTimeout) -}}
{{- with $s.trustedProxies }}{{ $args = append $args (printf "--trusted-proxies=%s" (join "," .)) }}{{ end -}}
{{- $volumes := list -}}
{{- range .checks -}}
{{- $dir := printf "/run/flotilla/status/%s" .name -}}
{{- $sources := list -}}
{{- if eq .kind "http" -}}
{{- $args = append $args (printf "--http=%s=%s" .name .url) -}}
{{- else if eq .kind "tcp" -}}
{{- $args = append $args (printf "--tcp=%s=%s" .name .addr) -}}
{{- else if eq .kind "postgres" -}}
{{- $pg := .pg -}}
{{- if $pg.urlSecret -}}
{{- $args = append $args (printf "--postgres=%s:url-file=%s/url" .name $dir) -}}
{{- $sources = append $sources (dict "secret" (dict "name" $pg.urlSecret "items" (list (dict "key" $pg.urlKey "path" "url")))) -}}
{{- else -}}
{{- $spec := printf "--postgres=%s:host=%s,port=%v,dbname=%s,user=%s,sslmode=%s" .name $pg.host $pg.port $pg.database $pg.user $pg.sslmode -}}
{{- if $pg.secret -}}
{{- $spec = printf "%s,password-file=%s/password" $spec $dir -}}
{{- $sources = append $sources (dict "secret" (dict "name" $pg.secret "items" (list (dict "key" $pg.key "path" "password")))) -}}
{{- end -}}
{{- if $pg.caSecret -}}
{{- $spec = printf "%s,sslrootcert=%s/ca.crt" $spec $dir -}}
{{- $sources = append $sources (dict "secret" (dict "name" $pg.caSecret "items" (list (dict "key" $pg.caKey "path" "ca.crt")))) -}}
{{- else if $pg.caConfigMap -}}
{{- $spec = printf "%s,sslrootcert=%s/ca.crt" $spec $dir -}}
{{- $sources = append $sources (dict "configMap" (dict "name" $pg.caConfigMap "items" (list (dict "key" $pg.caKey "path" "ca.crt")))) -}}
{{- else if $pg.sslrootcert -}}
{{- $spec = printf "%s,sslrootcert=%s" $spec $pg.sslrootcert -}}
{{- end -}}
{{- $args = append $args $spec -}}
{{- end -}}
{{- else if eq .kind "redis" -}}
{{- $r := .redis -}}
{{- $spec := printf "--redis=%s:host=%s,port=%v" .name $r.host $r.port -}}
{{- with $r.username }}{{ $spec = printf "%s,username=%s" $spec . }}{{ end -}}
{{- if $r.secret -}}
{{- $spec = printf "%s,password-file=%s/password" $spec $dir -}}
{{- $sources = append $sources (dict "secret" (dict "name" $r.secret "items" (list (dict "key" $r.key "path" "password")))) -}}
{{- end -}}
{{- if $r.tls -}}
{{- $spec = printf "%s,tls=true" $spec -}}
{{- if $r.caSecret -}}
{{- $items := list -}}
{{- if $r.caKey }}{{ $items = append $items (dict "key" $r.caKey "path" "ca.crt") }}{{ $spec = printf "%s,ca-file=%s/ca.crt" $spec $dir }}{{ end -}}
{{- if $r.certKey }}{{ $items = concat $items (list (dict "key" $r.certKey "path" "tls.crt") (dict "key" $r.keyKey "path" "tls.key")) }}{{ $spec = printf "%s,cert-file=%s/tls.crt,key-file=%s/tls.key" $spec $dir $dir }}{{ end -}}
{{- if $items }}{{ $sources = append $sources (dict "secret" (dict "name" $r.caSecret "items" $items)) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $args = append $args $spec -}}
{{- else if eq .kind "s3" -}}
{{- $b := .s3 -}}
{{- $spec := printf "--s3=%s:bucket=%s,region=%s" .name $b.bucket $b.region -}}
{{- with $b.endpoint }}{{ $spec = printf "%s,endpoint=%s" $spec (trimSuffix "/" .) }}{{ end -}}
{{- if $b.forcePathStyle }}{{ $spec = printf "%s,path-style=true" $spec }}{{ end -}}
{{- if $b.secret -}}
{{- $spec = printf "%s,access-key-id-file=%s/access-key-id,secret-access-key-file=%s/secret-access-key" $spec $dir $dir -}}
{{- $sources = append $sources (dict "secret" (dict "name" $b.secret "items" (list (dict "key" $b.idKey "path" "access-key-id") (dict "key" $b.secretKey "path" "secret-access-key")))) -}}
{{- end -}}
{{- if $b.caSecret -}}
{{- $spec = printf "%s,ca-file=%s/ca.crt" $spec $dir -}}
{{- $sources = append $sources (dict "secret" (dict "name" $b.caSecret "items" (list (dict "key" $b.caKey "path" "ca.crt")))) -}}
{{- else if $b.caConfigMap -}}
{{- $spec = printf "%s,ca-file=%s/ca.crt" $spec $dir -}}
{{- $sources = append $sources (dict "configMap" (dict "name" $b.caConfigMap "items" (list (dict "key" $b.caKey "path" "ca.crt")))) -}}
{{- end -}}
{{- $args = append $args $spec -}}
{{- else -}}
{{- fail (printf "flotilla.status: check %s has unknown kind %q" .name .kind) -}}
{{- end -}}
{{- if $sources -}}
{{- $volumes = append $volumes (dict "name" (printf "check-%s" .name) "dir" $dir "sources" $sources) -}}
{{- end -}}
{{- end -}}
---
{{ include "flotilla.serviceFor" (dict "ctx" $ "name" $name "component" "status" "svc" $s.service "targetPort" "http") }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  replicas: 1
  selector:
    matchLabels:
      {{- include "flotilla.selectorLabels" $lbl | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
    spec:
      # The release's ServiceAccount: without static S3 keys, S3 access comes from its IAM role.
      serviceAccountName: {{ include "flotilla.serviceAccountName" $ }}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      {{- with include "flotilla.scheduling" $ | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: status
          image: {{ include "flotilla.image" (dict "image" $.Values.hook.image "default" $.Chart.AppVersion) }}
          imagePullPolicy: {{ $.Values.hook.image.pullPolicy }}
          args:
            {{- range $args }}
            - {{ . | quote }}
            {{- end }}
          ports:
            - name: http
              containerPort: 8080
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 20
            timeoutSeconds: 3
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 10
            timeoutSeconds: 3
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          {{- with $s.resources }}
          resources: {{ toJson . }}
          {{- end }}
          volumeMounts:
            - name: status-keys
              mountPath: /run/flotilla/status-keys
              readOnly: true
            {{- range $volumes }}
            - name: {{ .name }}
              mountPath: {{ .dir }}
              readOnly: true
            {{- end }}
      volumes:
        - name: status-keys
          secret:
            secretName: {{ $keysSecret }}
            items:
              - key: {{ $keysKey }}
                path: keys
        {{- range $volumes }}
        - name: {{ .name }}
          projected:
            sources: {{ toJson .sources }}
        {{- end }}
{{- with include "flotilla.ingressFor" (dict "ctx" $ "component" "status" "name" $name "ingress" $s.ingress "service" $name) | trim }}
---
{{ . }}
{{- end }}
{{- end }}
{{- end -}}
