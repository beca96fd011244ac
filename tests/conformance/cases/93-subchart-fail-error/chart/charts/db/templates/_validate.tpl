{{- define "db.validateValues.architecture" -}}
{{- $allowed := list "standalone" "replication" -}}
{{- if not (has .Values.architecture $allowed) -}}
db.architecture must be one of: {{ join ", " $allowed }} (got {{ .Values.architecture | quote }})
{{- end -}}
{{- end -}}

{{- define "db.validateValues" -}}
{{- $messages := list -}}
{{- $messages = append $messages (include "db.validateValues.architecture" .) -}}
{{- $messages = without $messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{-   printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}
