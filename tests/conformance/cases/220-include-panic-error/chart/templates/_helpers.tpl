{{- define "panics.outer" -}}
{{ include "panics.inner" (dict "keys" .missing) }}
{{- end -}}
{{- define "panics.inner" -}}
{{- first .keys -}}
{{- end -}}
