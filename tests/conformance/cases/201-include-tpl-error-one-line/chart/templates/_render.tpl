{{- define "errs.render" -}}
{{ tpl .Values.template . }}
{{- end -}}
