{{- define "scope.show" -}}
{{- $_ := set . "inHelper" "yes" -}}
{{ .Values.late }}/{{ .inHelper }}
{{- end -}}
