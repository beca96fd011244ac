{{- define "backend.fullname" -}}{{ .Release.Name }}-{{ .Values.name }}{{- end -}}
