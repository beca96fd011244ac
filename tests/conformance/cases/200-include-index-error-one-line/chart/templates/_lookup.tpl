{{- define "errs.port" -}}
{{- $map := index .Values.ports .name -}}
{{ index $map "default" }}
{{- end -}}
{{- define "errs.url" -}}
http://svc:{{ include "errs.port" (dict "Values" .Values "name" "missing") }}
{{- end -}}
