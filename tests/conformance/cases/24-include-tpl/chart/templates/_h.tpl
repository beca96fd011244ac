{{- define "it.greet" -}}hello {{ .who }}{{- end -}}
{{- define "it.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "it.tplvalues" -}}
{{- $ctx := index . 1 -}}
{{- if kindIs "string" (index . 0) }}{{ tpl (index . 0) $ctx }}{{ else }}{{ tpl (toYaml (index . 0)) $ctx }}{{ end -}}
{{- end -}}
