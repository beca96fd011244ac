{{- define "deep.print" -}}
{{- $f := index . 0 }}{{ $v := index . 1 -}}
{{- $s := "" -}}
{{- if eq $f "toJson" }}{{ $s = toJson $v }}
{{- else if eq $f "toRawJson" }}{{ $s = toRawJson $v }}
{{- else if eq $f "toPrettyJson" }}{{ $s = toPrettyJson $v }}
{{- else if eq $f "toYaml" }}{{ $s = toYaml $v }}
{{- else if eq $f "toYamlPretty" }}{{ $s = toYamlPretty $v }}
{{- else if eq $f "toToml" }}{{ $s = toToml $v }}
{{- else }}{{ $s = toString $v }}{{ end -}}
{{ len $s }} {{ sha256sum $s }}
{{- end -}}
