{{- define "rn.password" -}}
{{- $auth := index . 0 -}}
{{- $user := index . 1 -}}
{{- $userAuth := index $auth $user -}}
{{- required (printf "endpoints.oslo_db.auth.%s.password is required" $user) $userAuth.password -}}
{{- end -}}

{{- define "rn.uri" -}}
{{- $ctx := index . 0 -}}
mysql://{{ index $ctx.Values.endpoints.oslo_db.auth "admin" "username" }}:{{ tuple $ctx.Values.endpoints.oslo_db.auth "admin" | include "rn.password" }}@db
{{- end -}}
