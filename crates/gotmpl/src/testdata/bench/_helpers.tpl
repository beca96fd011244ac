{{- define "labels" }}
    app: {{ .name }}
    tier: {{ .tier }}
    managed-by: capstan
{{- end }}
{{- define "fullname" -}}
{{ printf "%s-%s" .root.Release.Name .svc.name }}
{{- end }}
