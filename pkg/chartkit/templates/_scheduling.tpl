{{/*
Flotilla's shared helper library: availability and placement: PodDisruptionBudgets,
HorizontalPodAutoscalers and pod scheduling fields. Generated into each chart that uses them as
templates/flotilla/_scheduling.tpl from pkg/chartkit/templates/_scheduling.tpl: edit it there.
*/}}

{{/* PodDisruptionBudget of a component with more than one replica: dict "ctx" $ "component" C "replicas" N "pdb" .Values.x. */}}
{{- define "flotilla.pdb" -}}
{{- if and .pdb.enabled (gt (int .replicas) 1) }}
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
{{- end -}}

{{/*
HorizontalPodAutoscaler (autoscaling/v2) of a Deployment: dict "ctx" $ "component" C "target"
DEPLOYMENT-NAME "autoscaling" (a cv.Autoscaling value block). Renders nothing when disabled;
fails when minReplicas > maxReplicas (a JSON schema cannot compare two values).
*/}}
{{- define "flotilla.hpa" -}}
{{- $a := .autoscaling -}}
{{- if $a.enabled }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "%s autoscaling: minReplicas (%v) must not exceed maxReplicas (%v)" .component $a.minReplicas $a.maxReplicas) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .target | quote }}
  labels:
    {{- include "flotilla.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .target | quote }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  {{- if or $a.targetCPUUtilizationPercentage $a.targetMemoryUtilizationPercentage }}
  metrics:
    {{- range $resource, $target := dict "cpu" $a.targetCPUUtilizationPercentage "memory" $a.targetMemoryUtilizationPercentage }}
    {{- if $target }}
    - type: Resource
      resource:
        name: {{ $resource | quote }}
        target:
          type: Utilization
          averageUtilization: {{ $target }}
    {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}
