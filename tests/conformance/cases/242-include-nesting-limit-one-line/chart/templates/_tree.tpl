{{- /* a node whose parent is itself: include recurses until Helm's limit */ -}}
{{- define "nest.walk" -}}
{{ .name }}
{{- with .parent }}
{{ include "nest.walk" . | indent 2 }}
{{- end }}
{{- end -}}
