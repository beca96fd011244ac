{{/* François */}}
{{- define "latin1.text" }}café â‚¬ ÿ{{ end }}
{{- define "latin1.unused" }}été{{ end }}
