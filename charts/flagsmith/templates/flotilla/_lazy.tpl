{{/*
Flotilla's shared helper library: helpers parsed only when called. Generated into each chart that
has lazy helpers as templates/flotilla/_lazy.tpl from pkg/chartkit/templates/_lazy.tpl: edit it
there. Helm parses every file under templates/ on every render; a helper whose comment says
"Lazy:" is written to the chart file files/flotilla/<concept>.tpl instead, and a stub of the same
name in templates/ runs it through flotilla.lazy.
*/}}

{{/*
Runs the lazy helper name from files/flotilla/<file>.tpl with args (the root context, or a dict
holding it as ctx): tpl parses the file, whose define replaces the stub in tpl's copy of the
templates, then includes it.
*/}}
{{- define "flotilla.lazy" -}}
{{- $ctx := .args -}}
{{- if and (kindIs "map" .args) (hasKey .args "ctx") }}{{ $ctx = .args.ctx }}{{ end -}}
{{- $body := $ctx.Files.Get (printf "files/flotilla/%s.tpl" .file) -}}
{{- if not (contains (printf "define %q" .name) $body) -}}
{{- fail (printf "flotilla.lazy: the chart file files/flotilla/%s.tpl does not define %s (regenerate the chart)" .file .name) -}}
{{- end -}}
{{- tpl (print $body (printf "{{- include %q . -}}" .name)) .args -}}
{{- end -}}
