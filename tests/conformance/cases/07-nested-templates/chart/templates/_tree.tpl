{{- define "tree.walk" -}}
{{ .name }}{{ if .children }}({{ range $i, $c := .children }}{{ if $i }},{{ end }}{{ include "tree.walk" $c }}{{ end }}){{ end }}
{{- end -}}
{{- define "outer" -}}
outer[{{ include "inner" . }}]
{{- end -}}
{{- define "inner" -}}
inner[{{ include "innermost" (dict "v" .) }}]
{{- end -}}
{{- define "innermost" -}}
{{ .v | upper }}
{{- end -}}
{{- define "lines" -}}
line1: {{ .a }}
line2: {{ .b }}
{{- end -}}
