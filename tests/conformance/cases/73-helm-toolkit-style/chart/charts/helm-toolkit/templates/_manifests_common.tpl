{{/*
Service for an endpoint type: dict "envAll" . "serviceName" "keystone" "component" "api"
"endpointType" "identity" "ports" (list (dict "name" "ks-pub" "port" "api"))
The Service is named after endpoints.<type>.hosts.internal (or default).
*/}}
{{- define "helm-toolkit.manifests.service" -}}
{{- $envAll := index . "envAll" -}}
{{- $endpointType := index . "endpointType" -}}
{{- $endpoint := index . "endpoint" | default "internal" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ tuple $endpointType $endpoint $envAll | include "helm-toolkit.endpoints.hostname_short_endpoint_lookup" }}
  labels:
    {{- tuple $envAll (index . "serviceName") (index . "component") | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 4 }}
spec:
  {{- with index . "clusterIP" }}
  clusterIP: {{ . }}
  {{- end }}
  ports:
  {{- range index . "ports" }}
    - name: {{ .name }}
      port: {{ tuple $endpointType $endpoint .port $envAll | include "helm-toolkit.endpoints.endpoint_port_lookup" }}
      targetPort: {{ .targetPort | default .name }}
      protocol: {{ .protocol | default "TCP" }}
  {{- end }}
  selector:
    {{- tuple $envAll (index . "serviceName") (index . "component") | include "helm-toolkit.snippets.kubernetes_selector_labels" | nindent 4 }}
{{- end -}}

{{/* <service>-db-admin / <service>-db-user Secrets: dict "envAll" . "serviceName" "keystone" */}}
{{- define "helm-toolkit.manifests.secret_db" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $dbType := index . "dbType" | default "oslo_db" -}}
{{- range $userClass, $suffix := dict "admin" "db-admin" $serviceName "db-user" }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ printf "%s-%s" $serviceName $suffix }}
  labels:
    {{- tuple $envAll $serviceName "db" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 4 }}
type: Opaque
data:
  DB_CONNECTION: {{ tuple $dbType "internal" $userClass "mysql" $envAll | include "helm-toolkit.endpoints.authenticated_endpoint_uri_lookup" | b64enc }}
{{- end }}
{{- end -}}

{{/* <service>-keystone-admin / -user Secrets with OS_* keys */}}
{{- define "helm-toolkit.manifests.secret_keystone" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $serviceUser := index . "serviceUser" | default $serviceName -}}
{{- range $userClass, $suffix := dict "admin" "keystone-admin" $serviceUser "keystone-user" }}
{{- $auth := index $envAll.Values.endpoints.identity.auth $userClass | required (printf "endpoints.identity.auth.%s is required" $userClass) }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ printf "%s-%s" $serviceName $suffix }}
  labels:
    {{- tuple $envAll $serviceName "keystone" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 4 }}
type: Opaque
data:
  OS_AUTH_URL: {{ tuple "identity" "internal" "api" $envAll | include "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" | b64enc }}
  OS_IDENTITY_API_VERSION: {{ "3" | b64enc }}
  OS_INTERFACE: {{ $auth.interface | default "internal" | b64enc }}
  OS_REGION_NAME: {{ $auth.region_name | b64enc }}
  OS_PROJECT_DOMAIN_NAME: {{ $auth.project_domain_name | b64enc }}
  OS_PROJECT_NAME: {{ $auth.project_name | b64enc }}
  OS_USER_DOMAIN_NAME: {{ $auth.user_domain_name | b64enc }}
  OS_USERNAME: {{ $auth.username | b64enc }}
  OS_PASSWORD: {{ $auth.password | toString | b64enc }}
{{- end }}
{{- end -}}

{{/* The <service>-bin ConfigMap with the shared job scripts plus chart-specific ones */}}
{{- define "helm-toolkit.manifests.configmap_bin" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ printf "%s-bin" $serviceName }}
  labels:
    {{- tuple $envAll $serviceName "bin" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 4 }}
data:
  db-init.sh: |
    {{- include "helm-toolkit.scripts.db_init" $envAll | nindent 4 }}
  ks-user.sh: |
    {{- include "helm-toolkit.scripts.ks_user" $envAll | nindent 4 }}
  ks-service.sh: |
    {{- include "helm-toolkit.scripts.ks_service" $envAll | nindent 4 }}
  ks-endpoints.sh: |
    {{- include "helm-toolkit.scripts.ks_endpoints" $envAll | nindent 4 }}
{{- range $name, $body := index . "extra" | default dict }}
  {{ $name }}: |
    {{- $body | nindent 4 }}
{{- end }}
{{- end -}}
