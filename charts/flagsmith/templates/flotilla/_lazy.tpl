{{/*
Flotilla's shared helper library: helpers parsed only when called. Generated into each chart that
has lazy helpers as templates/flotilla/_lazy.tpl from pkg/chartkit/templates/_lazy.tpl: edit it
there. Helm parses every file under templates/ on every render; a helper whose comment says
"Lazy:" is written to the chart file files/flotilla/<concept>.tpl instead, and a stub of the same
name in templates/ runs it through flotilla.lazy.
*/}}

{{/*
Runs the lazy helper name from files/flotilla/<file>.tpl with args (the root context, or a dict
holding it as ctx): tpl parses the file, which defines the body as <name>#lazy, and calls it. The
values tpl runs with carry the root's Template, which Helm before 3.14 requires.
*/}}
{{- define "flotilla.lazy" -}}
{{- $ctx := .args -}}
{{- if and (kindIs "map" .args) (hasKey .args "ctx") }}{{ $ctx = .args.ctx }}{{ end -}}
{{- $body := $ctx.Files.Get (printf "files/flotilla/%s.tpl" .file) -}}
{{- $lazy := printf "%s#lazy" .name -}}
{{- if not (contains (printf "define %q" $lazy) $body) -}}
{{- fail (printf "flotilla.lazy: the chart file files/flotilla/%s.tpl does not define %s (regenerate the chart)" .file $lazy) -}}
{{- end -}}
{{- $vals := .args -}}
{{- if not (hasKey $vals "Template") }}{{ $vals = merge (dict "Template" $ctx.Template) .args }}{{ end -}}
{{- tpl (print $body (printf "{{- include %q . -}}" $lazy)) $vals -}}
{{- end -}}
