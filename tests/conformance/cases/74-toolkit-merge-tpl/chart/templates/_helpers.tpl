{{- define "mt.labels" -}}
{{- $envAll := index . 0 -}}
{{- $component := index . 1 -}}
release_group: {{ $envAll.Values.release_group | default $envAll.Release.Name }}
application: {{ $envAll.Values.labels.application }}
component: {{ $component }}
{{- end -}}

{{- define "mt.conf" -}}
{{- $envAll := . -}}
workers: {{ $envAll.Values.conf.api.workers }}
bind: {{ $envAll.Values.conf.api.bind | quote }}
ports:
  - 8774
  - 8775
nested:
  a: {b: {c: deep}}
{{- end -}}

{{- define "mt.template" -}}
{{- $template := index . 0 -}}
{{- $context := index . 1 -}}
{{- $last := base $context.Template.BasePath -}}
{{- $localContext := merge (dict "Template" (dict "Name" $template "BasePath" $last)) $context -}}
{{- tpl (toYaml (index $context.Values.conf $template)) $localContext -}}
{{- end -}}
