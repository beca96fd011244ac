{{/*
Oslo-style INI from a nested dict. Sections are the top-level keys; values may be
scalars, lists (comma joined) or {type: multistring, values: [...]} (key repeated).
A null value drops the key. Strings are passed through `tpl`, so values may refer to
other values or endpoint lookups.
  tuple $envAll $envAll.Values.conf.keystone | include "helm-toolkit.utils.to_oslo_conf"
*/}}
{{- define "helm-toolkit.utils.to_oslo_conf" -}}
{{- $envAll := index . 0 -}}
{{- $conf := index . 1 -}}
{{- range $section, $values := $conf -}}
{{- if kindIs "map" $values }}
[{{ $section }}]
{{- range $key, $value := $values }}
{{- if kindIs "slice" $value }}
{{ $key }} = {{ include "helm-toolkit.utils.joinListWithComma" $value }}
{{- else if and (kindIs "map" $value) (eq (toString $value.type) "multistring") }}
{{- range $item := $value.values }}
{{ $key }} = {{ $item }}
{{- end }}
{{- else if kindIs "string" $value }}
{{ $key }} = {{ tpl $value $envAll }}
{{- else if not (kindIs "invalid" $value) }}
{{ $key }} = {{ include "helm-toolkit.utils._scalar" $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Plain INI (no tpl, no multistring) for paste.ini-like files */}}
{{- define "helm-toolkit.utils.to_ini" -}}
{{- range $section, $values := . -}}
{{- if kindIs "map" $values }}
[{{ $section }}]
{{- range $key, $value := $values }}
{{ $key }} = {{ include "helm-toolkit.utils._scalar" $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Values arrive as float64: print whole numbers as integers (1000000, not 1e+06) */}}
{{- define "helm-toolkit.utils._scalar" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) -}}
{{- int64 . -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}

{{- define "helm-toolkit.utils.joinListWithComma" -}}
{{- $out := "" -}}
{{- range $i, $v := . -}}
{{- if $i }}{{ $out = printf "%s," $out }}{{ end -}}
{{- $out = printf "%s%v" $out $v -}}
{{- end -}}
{{- $out -}}
{{- end -}}

{{/* key=value lines, sorted, e.g. for environment files: tuple $envAll $dict */}}
{{- define "helm-toolkit.utils.to_kv_list" -}}
{{- range $k, $v := . }}
{{ $k }}={{ $v }}
{{- end }}
{{- end -}}

{{/*
Render a values entry that may contain template text: tuple $value $envAll.
Maps and lists are rendered as YAML first.
*/}}
{{- define "helm-toolkit.utils.template" -}}
{{- $value := index . 0 -}}
{{- $envAll := index . 1 -}}
{{- if kindIs "string" $value -}}
{{- tpl $value $envAll -}}
{{- else -}}
{{- tpl (toYaml $value) $envAll -}}
{{- end -}}
{{- end -}}

{{/*
Hash of another template of the same chart, for rollout-on-config-change annotations:
  tuple "configmap-etc.yaml" . | include "helm-toolkit.utils.hash"
*/}}
{{- define "helm-toolkit.utils.hash" -}}
{{- $name := index . 0 -}}
{{- $context := index . 1 -}}
{{- include (printf "%s/%s" $context.Template.BasePath $name) $context | sha256sum -}}
{{- end -}}

{{/* Deep-merge a list of dicts left to right, later ones winning, without mutating inputs */}}
{{- define "helm-toolkit.utils.merge" -}}
{{- $out := dict -}}
{{- range . -}}
{{- $out = mergeOverwrite $out (deepCopy .) -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
