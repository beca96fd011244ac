{{- define "t.overridden" }}second{{ end }}
