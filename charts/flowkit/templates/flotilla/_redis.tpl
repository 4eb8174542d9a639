{{/*
Flotilla's shared helper library: the bundled Redis, its name, and the connection (bundled or
external) the app uses. Generated into each chart that uses them as templates/flotilla/_redis.tpl
from pkg/chartkit/templates/_redis.tpl: edit it there.
*/}}

{{/* Name of the bundled Redis's Service and StatefulSet. */}}
{{- define "flotilla.redis.fullname" -}}
{{- printf "%s-redis" (include "flotilla.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The bundled Redis's StatefulSet and its governing Service, for flotilla.statefulsetMigration: a
list with one dict "name" "serviceName" when redis.enabled, else empty, as JSON.
*/}}
{{- define "flotilla.redis.statefulsets" -}}
{{- if .Values.redis.enabled -}}
{{- $name := include "flotilla.redis.fullname" . -}}
{{- toJson (list (dict "name" $name "serviceName" (include "flotilla.governingServiceName" $name))) -}}
{{- else -}}
[]
{{- end -}}
{{- end -}}

{{/*
Redis connection the app uses, bundled or external: a dict with host, port, username, tls and
secret/key of the password ("" when there is none).
*/}}
{{- define "flotilla.redis.connection" -}}
{{- $r := .Values.redis -}}
{{- if $r.enabled -}}
{{- $name := include "flotilla.redis.fullname" . -}}
{{- $secret := "" -}}{{- $key := "" -}}
{{- if $r.auth.enabled -}}
{{- $secret = default $name $r.auth.existingSecret -}}
{{- $key = ternary $r.auth.existingSecretPasswordKey "redis-password" (ne $r.auth.existingSecret "") -}}
{{- end -}}
{{- toJson (dict "host" $name "port" 6379 "username" "" "tls" false "secret" $secret "key" $key) -}}
{{- else -}}
{{- $e := $r.external -}}
{{- $secret := "" -}}{{- $key := "" -}}
{{- if $e.existingSecret -}}
{{- $secret = $e.existingSecret -}}{{- $key = $e.existingSecretPasswordKey -}}
{{- else if $e.password -}}
{{- $secret = printf "%s-external-redis" (include "flotilla.fullname" .) -}}{{- $key = "redis-password" -}}
{{- end -}}
{{- toJson (dict "host" $e.host "port" $e.port "username" $e.username "tls" $e.tls "secret" $secret "key" $key) -}}
{{- end -}}
{{- end -}}

{{/*
The generated password Secret of the bundled Redis, as a JSON list of flotilla.generatedSecrets
items (empty when Redis is external, without auth or with an existingSecret). The chart's
<chart>.generatedSecrets lists it.
*/}}
{{- define "flotilla.redis.generatedSecrets" -}}
{{- $r := .Values.redis -}}
{{- if and $r.enabled $r.auth.enabled (not $r.auth.existingSecret) -}}
{{- toJson (list (dict "name" (include "flotilla.redis.fullname" .) "component" "redis" "keys" (list (dict "key" "redis-password" "value" $r.auth.password)))) -}}
{{- else -}}[]
{{- end -}}
{{- end -}}

{{/*
The bundled Redis (official image, password on by default; its Secret is flotilla.redis.generatedSecrets') or the Secret of an
external Redis's inline password.
*/}}
{{- define "flotilla.redis" -}}
{{- $ := . -}}
{{- $r := .Values.redis -}}
{{- if and (not $r.enabled) $r.external.password (not $r.external.existingSecret) }}
{{ include "flotilla.valuesSecret" (dict "ctx" $ "name" (printf "%s-external-redis" (include "flotilla.fullname" $)) "component" "redis" "data" (dict "redis-password" $r.external.password)) }}
{{- end }}
{{- if $r.enabled }}
{{- $name := include "flotilla.redis.fullname" $ -}}
{{- $conn := include "flotilla.redis.connection" $ | fromJson -}}
{{- $lbl := dict "ctx" $ "component" "redis" -}}
{{- $labels := include "flotilla.labels" $lbl -}}
{{- $selector := include "flotilla.selectorLabels" $lbl -}}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name | quote }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    - name: redis
      port: 6379
      targetPort: redis
  selector:
    {{- $selector | nindent 4 }}
---
{{ include "flotilla.governingService" (dict "ctx" $ "name" $name "component" "redis" "ports" (list (dict "name" "redis" "port" 6379))) }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name | quote }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ include "flotilla.governingServiceName" $name | quote }}
  selector:
    matchLabels:
      {{- $selector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        runAsGroup: 999
        fsGroup: 999
        fsGroupChangePolicy: OnRootMismatch
        seccompProfile:
          type: RuntimeDefault
      {{- with include "flotilla.scheduling" $ | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: redis
          image: {{ include "flotilla.image" (dict "image" $r.image "default" "7") | quote }}
          imagePullPolicy: {{ $r.image.pullPolicy }}
          securityContext: {{ include "flotilla.containerSecurityContext" $ }}
          {{- if $r.auth.enabled }}
          env:
            - name: REDIS_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $conn.secret | quote }}
                  key: {{ $conn.key | quote }}
            - name: REDISCLI_AUTH
              value: $(REDIS_PASSWORD)
          {{- end }}
          command: ["redis-server"]
          args:
            - --dir
            - /data
            - --appendonly
            - {{ ternary "yes" "no" $r.persistence.enabled | quote }}
            {{- if $r.auth.enabled }}
            - --requirepass
            - $(REDIS_PASSWORD)
            {{- end }}
          ports:
            - name: redis
              containerPort: 6379
          startupProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 20
            timeoutSeconds: 5
          readinessProbe:
            exec:
              command: ["redis-cli", "ping"]
            periodSeconds: 10
            timeoutSeconds: 5
          {{- with $r.resources }}
          resources: {{ toJson . }}
          {{- end }}
          volumeMounts:
            - name: data
              mountPath: /data
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if not $r.persistence.enabled }}
        - name: data
          emptyDir: {}
        {{- end }}
  {{- if $r.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with $r.persistence.storageClass }}
        storageClassName: {{ . | quote }}
        {{- end }}
        resources:
          requests:
            storage: {{ $r.persistence.size | quote }}
  {{- end }}
{{- end }}
{{- end -}}
