{{/*
Flotilla's shared helper library: availability and placement: PodDisruptionBudgets,
HorizontalPodAutoscalers and pod scheduling fields. Generated into each chart that uses them as
templates/flotilla/_scheduling.tpl from pkg/chartkit/templates/_scheduling.tpl: edit it there.
*/}}

{{/*
PodDisruptionBudget of a component with more than one replica: dict "ctx" $ "component" C
"replicas" N "pdb" .Values.x. With highAvailability on, N is at least highAvailability.replicas
(the schema keeps the budget on, at maxUnavailable 1, under the profile).
*/}}
{{- define "flotilla.pdb" -}}
{{- $n := int .replicas -}}
{{- $ha := .ctx.Values.highAvailability -}}
{{- if $ha.enabled }}{{ $n = max $n (int $ha.replicas) }}{{ end -}}
{{- if and .pdb.enabled (gt $n 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ printf "%s-%s" (include "flotilla.fullname" .ctx) .component | trunc 63 | trimSuffix "-" | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "flotilla.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Scheduling fields of a pod spec from values. */}}
{{- define "flotilla.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector: {{ toJson . }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{ toJson . }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{ toJson . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{ toJson . }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The body of flotilla.hpa is in files/flotilla/scheduling.tpl, parsed only when called. */}}
{{- define "flotilla.hpa" -}}
{{- if .autoscaling.enabled }}
{{- include "flotilla.lazy" (dict "file" "scheduling" "name" "flotilla.hpa" "args" .) -}}
{{- end -}}
{{- end -}}
