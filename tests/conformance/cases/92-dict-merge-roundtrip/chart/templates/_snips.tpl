{{- define "mergey.probe" -}}
httpGet:
  path: {{ .path | default "/" }}
  port: {{ .port }}
periodSeconds: {{ .period | default 10 }}
{{- end -}}
