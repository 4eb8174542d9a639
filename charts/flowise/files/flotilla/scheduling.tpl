{{- /*
Flotilla's shared helper library: availability and placement: PodDisruptionBudgets,
HorizontalPodAutoscalers and pod scheduling fields. Generated into each chart that uses them as
templates/flotilla/_scheduling.tpl from pkg/chartkit/templates/_scheduling.tpl: edit it there.
*/}}

{{- /*
HorizontalPodAutoscaler (autoscaling/v2) of a Deployment: dict "ctx" $ "component" C "target"
DEPLOYMENT-NAME "autoscaling" (a cv.Autoscaling value block). Renders nothing when disabled.
With highAvailability on, minReplicas is at least highAvailability.replicas (and maxReplicas at
least that). minReplicas > maxReplicas in the values is the chart's templates/checks.yaml's to
refuse (flotilla.autoscalingProblems): a JSON schema cannot compare two values.
Lazy when .autoscaling.enabled: off by default.
*/}}
{{- define "flotilla.hpa#lazy" -}}
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
