{{- define "common.cm" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
data:
  tag: {{ .Values.global.image.tag | quote }}
{{- end -}}
