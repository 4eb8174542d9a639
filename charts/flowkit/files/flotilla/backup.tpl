{{- /*
Flotilla's shared helper library: backups of PostgreSQL databases to S3 (pg_dump and pg_restore from
the official postgres image, streamed by flotilla-hook) and restore mode. Generated into each chart
that uses them as templates/flotilla/_backup.tpl from pkg/chartkit/templates/_backup.tpl: edit it there.
*/}}

{{- /*
The backup CronJob (backup.enabled) and the restore Job (backup.restore.enabled) of one database:
dict "ctx" $ "database" LABEL "pg" (dict "host" H "port" P "database" D "user" U "sslmode" M
"secret" S "key" K, as for flotilla.hook.container) "image" POSTGRES-IMAGE-VALUES. LABEL suffixes the
objects' names (<fullname>-backup-LABEL); "" for a chart with one database. The restore Job's name
carries a hash of what it restores, so changing backup.restore runs a new Job and an unchanged
upgrade does not restore twice.
Lazy: off by default (backup.enabled, backup.restore.enabled).
*/}}
{{- define "flotilla.backup#lazy" -}}
{{- $ := .ctx -}}
{{- $b := $.Values.backup -}}
{{- $suffix := ternary "" (printf "-%s" .database) (eq .database "") -}}
{{- $fullname := include "flotilla.fullname" $ -}}
{{- $s3 := $b.s3 -}}
{{- $common := list (printf "--s3-bucket=%s" $s3.bucket) (printf "--s3-region=%s" $s3.region) (printf "--release=%s" $.Release.Name) -}}
{{- with $s3.endpoint }}{{ $common = append $common (printf "--s3-endpoint=%s" .) }}{{ end -}}
{{- if $s3.forcePathStyle }}{{ $common = append $common "--s3-force-path-style" }}{{ end -}}
{{- if $s3.caExistingSecret }}{{ $common = append $common "--s3-ca-file=/run/flotilla/s3-ca/ca.crt" }}{{ end -}}
{{- with $b.prefix }}{{ $common = append $common (printf "--prefix=%s" .) }}{{ end -}}
{{- if $b.encryption.existingSecret }}{{ $common = append $common "--encryption-key-file=/run/flotilla/backup-key/key" }}{{ end -}}
{{- $common = concat $common (list (printf "--timeout=%ds" (sub (int $b.activeDeadlineSeconds) 60)) "--password-file=/run/flotilla/db/password" "--log-format=json") -}}
{{- $pod := dict "ctx" $ "pg" .pg "image" .image -}}
{{- if $b.enabled }}
{{- $component := printf "backup%s" $suffix }}
{{- $lbl := dict "ctx" $ "component" $component }}
{{- $args := list "backup" "create" (printf "--namespace=%s" $.Release.Namespace) (printf "--chart=%s" $.Chart.Name) (printf "--chart-version=%s" $.Chart.Version) (printf "--keep-last=%d" (int $b.retention.keepLast)) }}
{{- with $b.retention.keepWithin }}{{ $args = append $args (printf "--keep-within=%s" .) }}{{ end }}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  # CronJob names have 52 characters at most: the release part is cut, never the database's.
  name: {{ printf "%s-%s" ($fullname | trunc (int (sub 51 (len $component))) | trimSuffix "-") $component }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
spec:
  schedule: {{ $b.schedule | quote }}
  {{- with $b.timeZone }}
  timeZone: {{ . | quote }}
  {{- end }}
  concurrencyPolicy: Forbid
  # A run missed by more than an hour (controller down) waits for the next schedule.
  startingDeadlineSeconds: 3600
  successfulJobsHistoryLimit: {{ $b.successfulJobsHistoryLimit }}
  failedJobsHistoryLimit: {{ $b.failedJobsHistoryLimit }}
  jobTemplate:
    metadata:
      labels:
        {{- include "flotilla.selectorLabels" $lbl | nindent 8 }}
    spec:
      backoffLimit: {{ $b.backoffLimit }}
      activeDeadlineSeconds: {{ $b.activeDeadlineSeconds }}
      template:
        {{- include "flotilla.backup.pod#lazy" (merge (dict "lbl" $lbl "name" "backup" "args" (concat $args $common)) $pod) | nindent 8 }}
{{- end }}
{{- if $b.restore.enabled }}
{{- $r := $b.restore }}
{{- $component := printf "restore%s" $suffix }}
{{- $lbl := dict "ctx" $ "component" $component }}
{{- $args := list "backup" "restore" (printf "--backup=%s" $r.backup) "--retry-missing-database" }}
{{- with $r.fromRelease }}{{ $args = append $args (printf "--from-release=%s" .) }}{{ end }}
{{- if $r.clean }}{{ $args = append $args "--clean" }}{{ end }}
{{- if $r.force }}{{ $args = append $args "--force" }}{{ end }}
{{- $hash := toJson (list $r .pg $s3.bucket $b.prefix) | sha256sum | trunc 8 }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-%s" ($fullname | trunc (int (sub 53 (len $component))) | trimSuffix "-") $component }}-{{ $hash }}
  labels:
    {{- include "flotilla.labels" $lbl | nindent 4 }}
    flotilla.dev/job: restore
  annotations:
    flotilla.dev/restore: {{ printf "backup %s of release %s" $r.backup (default $.Release.Name $r.fromRelease) | quote }}
spec:
  # A failed restore changed nothing (one transaction): read its log before trying again.
  backoffLimit: 0
  activeDeadlineSeconds: {{ $b.activeDeadlineSeconds }}
  template:
    {{- include "flotilla.backup.pod#lazy" (merge (dict "lbl" $lbl "name" "restore" "args" (concat $args $common)) $pod) | nindent 4 }}
{{- end }}
{{- end -}}

{{- /*
Pod template of a backup or restore: an init container copies flotilla-hook into an emptyDir, the
postgres image's container runs it, and it runs pg_dump or pg_restore beside it. dict "ctx" $ "lbl"
LABELS "name" CONTAINER "args" (list ...) "pg" PG "image" POSTGRES-IMAGE-VALUES.
Lazy: called only by flotilla.backup.
*/}}
{{- define "flotilla.backup.pod#lazy" -}}
{{- $ := .ctx -}}
{{- $b := $.Values.backup -}}
{{- $h := $.Values.hook -}}
{{- $sc := dict "allowPrivilegeEscalation" false "readOnlyRootFilesystem" true "capabilities" (dict "drop" (list "ALL")) -}}
metadata:
  labels:
    {{- include "flotilla.selectorLabels" .lbl | nindent 4 }}
    flotilla.dev/job: {{ .name | quote }}
spec:
  restartPolicy: Never
  # The release's ServiceAccount: without backup.s3.existingSecret, S3 access comes from its IAM
  # role (IRSA injects its own token volume; the Kubernetes API token is not needed).
  serviceAccountName: {{ include "flotilla.serviceAccountName" $ | quote }}
  automountServiceAccountToken: false
  # The postgres image's user; pg_dump and pg_restore only talk to the network and stdout/stdin.
  securityContext:
    runAsNonRoot: true
    runAsUser: 999
    runAsGroup: 999
    seccompProfile:
      type: RuntimeDefault
  {{- with include "flotilla.scheduling" $ | trim }}{{ . | nindent 2 }}{{ end }}
  initContainers:
    - name: stage-flotilla-hook
      image: {{ include "flotilla.image" (dict "image" $h.image "default" $.Chart.AppVersion) | quote }}
      imagePullPolicy: {{ $h.image.pullPolicy }}
      args: ["backup", "stage", "/flotilla", "--log-format=json"]
      securityContext: {{ toJson $sc }}
      {{- with $h.resources }}
      resources: {{ toJson . }}
      {{- end }}
      volumeMounts:
        - name: flotilla
          mountPath: /flotilla
  containers:
    - name: {{ .name | quote }}
      image: {{ include "flotilla.image" (dict "image" .image "default" "17") | quote }}
      imagePullPolicy: {{ .image.pullPolicy }}
      command: ["/flotilla/flotilla-hook"]
      args:
        {{- range .args }}
        - {{ . | quote }}
        {{- end }}
      env:
        {{- include "flotilla.hook.pgEnv" .pg | nindent 8 }}
        {{- with $b.s3.existingSecret }}
        {{- include "flotilla.secretEnv" (dict "name" "AWS_ACCESS_KEY_ID" "secret" . "key" $b.s3.existingSecretAccessKeyIdKey) | nindent 8 }}
        {{- include "flotilla.secretEnv" (dict "name" "AWS_SECRET_ACCESS_KEY" "secret" . "key" $b.s3.existingSecretSecretAccessKeyKey) | nindent 8 }}
        {{- end }}
      securityContext: {{ toJson $sc }}
      {{- with $b.resources }}
      resources: {{ toJson . }}
      {{- end }}
      volumeMounts:
        - name: flotilla
          mountPath: /flotilla
          readOnly: true
        - name: flotilla-db-password
          mountPath: /run/flotilla/db
          readOnly: true
        {{- if or .pg.caSecret .pg.caConfigMap }}
        {{- /* flotilla.hook.volume adds it; PGSSLROOTCERT points there, as for the hook. */}}
        - name: flotilla-db-ca
          mountPath: /run/flotilla/db-ca
          readOnly: true
        {{- end }}
        {{- if $b.s3.caExistingSecret }}
        - name: s3-ca
          mountPath: /run/flotilla/s3-ca
          readOnly: true
        {{- end }}
        {{- if $b.encryption.existingSecret }}
        - name: backup-key
          mountPath: /run/flotilla/backup-key
          readOnly: true
        {{- end }}
  volumes:
    - name: flotilla
      emptyDir:
        sizeLimit: 64Mi
    {{- include "flotilla.hook.volume" .pg | nindent 4 }}
    {{- with $b.s3.caExistingSecret }}
    - name: s3-ca
      secret:
        secretName: {{ . | quote }}
        items:
          - key: {{ $b.s3.caExistingSecretKey | quote }}
            path: ca.crt
    {{- end }}
    {{- with $b.encryption.existingSecret }}
    - name: backup-key
      secret:
        secretName: {{ . | quote }}
        items:
          - key: {{ $b.encryption.existingSecretKeyKey | quote }}
            path: key
    {{- end }}
{{- end -}}
