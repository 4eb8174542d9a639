{{/*
Flotilla's shared helper library: the high-availability profile (highAvailability.*) and pod
placement of the replicated components: replica counts, topology spread, pod anti-affinity and the
rolling-update strategy. Generated into each chart that uses them as
templates/flotilla/_availability.tpl from pkg/chartkit/templates/_availability.tpl: edit it there.
PodDisruptionBudgets and HorizontalPodAutoscalers (flotilla.pdb, flotilla.hpa in _scheduling.tpl)
apply highAvailability.replicas too.
*/}}

{{/* Replicas of a component that can run several: dict "ctx" $ "replicas" N; at least highAvailability.replicas when the profile is on. */}}
{{- define "flotilla.replicas" -}}
{{- $ha := .ctx.Values.highAvailability -}}
{{- if $ha.enabled }}{{ max (int .replicas) (int $ha.replicas) }}{{ else }}{{ .replicas }}{{ end -}}
{{- end -}}

{{/* The Deployment strategy of a replicated component under the profile ("" when it is off): new pods come up before old ones go. The release context. */}}
{{- define "flotilla.haStrategy" -}}
{{- if .Values.highAvailability.enabled -}}
strategy:
  type: RollingUpdate
  rollingUpdate:
    maxUnavailable: 0
    maxSurge: 1
{{- end -}}
{{- end -}}

{{/*
Pod placement of a Deployment's pods: nodeSelector, tolerations, affinity,
topologySpreadConstraints and imagePullSecrets; dict "ctx" $ "component" C "replicated" BOOL
(a component highAvailability applies to). How user values and the profile combine:
- affinity is the user's; the profile adds a preferred podAntiAffinity (one pod per node) only
  when the user's affinity has no podAntiAffinity of its own.
- topologySpreadConstraints are the user's, each without labelSelector given the component's
  own pods; the profile adds a zone and a node constraint (maxSkew 1, nodeTaintsPolicy Honor so
  cordoned and tainted nodes do not count) for each topologyKey the user did not constrain.
Charts call it only when highAvailability or topologySpreadConstraints are set (else
flotilla.scheduling, computed once); it is written densely because Helm parses every template
on every render.
*/}}
{{- define "flotilla.placement" -}}
{{- $v := .ctx.Values -}}{{- $h := $v.highAvailability -}}{{- $ha := and $h.enabled .replicated -}}
{{- $sel := dict "matchLabels" (include "flotilla.selectorLabels" . | fromYaml) -}}
{{- with $v.nodeSelector }}
nodeSelector: {{ toJson . }}
{{- end }}
{{- with $v.tolerations }}
tolerations: {{ toJson . }}
{{- end }}
{{- with $v.imagePullSecrets }}
imagePullSecrets: {{ toJson . }}
{{- end }}
{{- $aff := $v.affinity }}
{{- if and $ha (not (hasKey $aff "podAntiAffinity")) }}
{{- $aff = merge (dict "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" (dict "topologyKey" "kubernetes.io/hostname" "labelSelector" $sel))))) $aff }}
{{- end }}
{{- with $aff }}
affinity: {{ toJson . }}
{{- end }}
{{- if or $ha $v.topologySpreadConstraints }}
topologySpreadConstraints:
{{- $keys := dict }}
{{- range $v.topologySpreadConstraints }}
{{- $_ := set $keys (toString .topologyKey) true }}
  - {{ if hasKey . "labelSelector" }}{{ toJson . }}{{ else }}{{ toJson (set (deepCopy .) "labelSelector" $sel) }}{{ end }}
{{- end }}
{{- if $ha }}
{{- range $k, $w := dict "topology.kubernetes.io/zone" $h.zoneWhenUnsatisfiable "kubernetes.io/hostname" $h.nodeWhenUnsatisfiable }}
{{- if not (hasKey $keys $k) }}
  - {maxSkew: 1, topologyKey: {{ $k }}, whenUnsatisfiable: {{ $w }}, nodeTaintsPolicy: Honor, labelSelector: {{ toJson $sel }}}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
