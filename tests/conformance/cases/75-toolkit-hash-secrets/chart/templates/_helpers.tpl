{{- define "hs.db_uri" -}}
{{- $ctx := index . 0 -}}
{{- $db := index . 1 -}}
{{- $user := required "db user is required" $db.user -}}
{{- $pass := required "db password is required" $db.password -}}
mysql+pymysql://{{ $user }}:{{ $pass | urlquery }}@{{ $db.host }}:3306/{{ $ctx.Chart.Name }}
{{- end -}}

{{- define "hs.rabbit" -}}
{{- $ctx := . -}}
{{- $hosts := list -}}
{{- range $ctx.Values.conf.rabbit.hosts -}}
{{- $hosts = append $hosts (printf "%s:%v" . $ctx.Values.conf.rabbit.port) -}}
{{- end -}}
rabbit://{{ join "," $hosts }}/
{{- end -}}

{{- define "hs.ini" -}}
{{- range $section, $values := . }}
[{{ $section }}]
{{- range $key, $value := $values }}
{{ $key }} = {{ $value }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "hs.hash" -}}
{{- $name := index . 0 -}}
{{- $context := index . 1 -}}
{{- $last := base $context.Template.Name }}
{{- $wtf := $context.Template.Name | replace $last $name -}}
{{- include $wtf $context | sha256sum | quote -}}
{{- end -}}
