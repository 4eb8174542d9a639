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

{{/*
HorizontalPodAutoscaler (autoscaling/v2) of a Deployment: dict "ctx" $ "component" C "target"
DEPLOYMENT-NAME "autoscaling" (a cv.Autoscaling value block). Renders nothing when disabled.
With highAvailability on, minReplicas is at least highAvailability.replicas (and maxReplicas at
least that). minReplicas > maxReplicas in the values is the chart's templates/checks.yaml's to
refuse (flotilla.autoscalingProblems): a JSON schema cannot compare two values.
Lazy when .autoscaling.enabled: off by default.
*/}}
{{- define "flotilla.hpa" -}}
{{- $a := .autoscaling -}}
{{- if $a.enabled }}
{{- $ha := .ctx.Values.highAvailability }}
{{- if $ha.enabled }}
{{- /* The profile's floor: never fewer than highAvailability.replicas pods, nor a maximum below it. */}}
{{- $min := max (int $a.minReplicas) (int $ha.replicas) }}
{{- $a = dict "minReplicas" $min "maxReplicas" (max (int $a.maxReplicas) $min) "targetCPUUtilizationPercentage" $a.targetCPUUtilizationPercentage "targetMemoryUtilizationPercentage" $a.targetMemoryUtilizationPercentage }}
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
