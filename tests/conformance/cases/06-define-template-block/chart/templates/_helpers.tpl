{{- define "t.name" -}}
{{ .Chart.Name }}-{{ .Release.Name }}
{{- end -}}
{{- define "t.greet" }}greet: {{ . }}{{ end }}
{{- define "t.overridden" }}first{{ end }}
