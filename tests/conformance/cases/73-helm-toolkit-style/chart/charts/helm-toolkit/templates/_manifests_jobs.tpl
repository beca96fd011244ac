{{/*
Jobs shared by the OpenStack API charts. Each takes a dict:
  envAll       the chart root context (required)
  serviceName  e.g. "keystone" (required)
  jobAnnotations  extra annotations (e.g. helm hooks), optional
*/}}

{{- define "helm-toolkit.manifests._job_metadata" -}}
{{- $envAll := index . 0 -}}
{{- $serviceName := index . 1 -}}
{{- $jobName := index . 2 -}}
{{- $annotations := index . 3 -}}
metadata:
  name: {{ printf "%s-%s" $serviceName $jobName }}
  labels:
    {{- tuple $envAll $serviceName $jobName | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Creates the service database and user: MySQL root credentials from <service>-db-admin */}}
{{- define "helm-toolkit.manifests.job_db_init_mysql" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $dbToInit := index . "dbToInit" | default (dict "adminSecret" (printf "%s-db-admin" $serviceName) "userSecret" (printf "%s-db-user" $serviceName)) -}}
apiVersion: batch/v1
kind: Job
{{ tuple $envAll $serviceName "db-init" (index . "jobAnnotations") | include "helm-toolkit.manifests._job_metadata" }}
spec:
  backoffLimit: {{ dig "backoffLimit" 20 ($envAll.Values.jobs | default dict) }}
  template:
    metadata:
      labels:
        {{- tuple $envAll $serviceName "db-init" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 8 }}
    spec:
      restartPolicy: OnFailure
      {{- tuple $envAll "job" | include "helm-toolkit.snippets.kubernetes_node_selector" | nindent 6 }}
      initContainers:
        {{- tuple $envAll "db_init" | include "helm-toolkit.snippets.kubernetes_entrypoint_init_container" | nindent 8 }}
      containers:
        - name: {{ printf "%s-db-init" $serviceName }}
          {{- dict "envAll" $envAll "image" "db_init" | include "helm-toolkit.snippets.image" | nindent 10 }}
          {{- tuple $envAll $envAll.Values.pod.resources.jobs.db_init | include "helm-toolkit.snippets.kubernetes_resources" | nindent 10 }}
          env:
            - name: ROOT_DB_CONNECTION
              valueFrom:
                secretKeyRef: {name: {{ $dbToInit.adminSecret }}, key: DB_CONNECTION}
            - name: DB_CONNECTION
              valueFrom:
                secretKeyRef: {name: {{ $dbToInit.userSecret }}, key: DB_CONNECTION}
          command: [/tmp/db-init.sh]
          volumeMounts:
            - {name: bin, mountPath: /tmp/db-init.sh, subPath: db-init.sh, readOnly: true}
      volumes:
        - name: bin
          configMap: {name: {{ printf "%s-bin" $serviceName }}, defaultMode: 0555}
{{- end -}}

{{/* Runs the service's schema migrations (db sync) */}}
{{- define "helm-toolkit.manifests.job_db_sync" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $command := index . "command" | default (list (printf "%s-manage" $serviceName) "db_sync") -}}
{{- $etcMounts := index . "etcMounts" | default list -}}
apiVersion: batch/v1
kind: Job
{{ tuple $envAll $serviceName "db-sync" (index . "jobAnnotations") | include "helm-toolkit.manifests._job_metadata" }}
spec:
  backoffLimit: {{ dig "backoffLimit" 20 ($envAll.Values.jobs | default dict) }}
  template:
    metadata:
      labels:
        {{- tuple $envAll $serviceName "db-sync" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 8 }}
      annotations:
        configmap-etc-hash: {{ index . "etcHash" | default "" | quote }}
    spec:
      restartPolicy: OnFailure
      {{- tuple $envAll "job" | include "helm-toolkit.snippets.kubernetes_node_selector" | nindent 6 }}
      initContainers:
        {{- tuple $envAll "db_sync" | include "helm-toolkit.snippets.kubernetes_entrypoint_init_container" | nindent 8 }}
      containers:
        - name: {{ printf "%s-db-sync" $serviceName }}
          {{- dict "envAll" $envAll "image" "db_sync" | include "helm-toolkit.snippets.image" | nindent 10 }}
          {{- tuple $envAll $envAll.Values.pod.resources.jobs.db_sync | include "helm-toolkit.snippets.kubernetes_resources" | nindent 10 }}
          command: {{ toJson $command }}
          volumeMounts:
            - {name: etc-service, mountPath: {{ printf "/etc/%s" $serviceName }}}
            {{- range $etcMounts }}
            - {name: etc, mountPath: {{ .path }}, subPath: {{ .file }}, readOnly: true}
            {{- end }}
      volumes:
        - name: etc-service
          emptyDir: {}
        - name: etc
          secret: {secretName: {{ printf "%s-etc" $serviceName }}, defaultMode: 0444}
{{- end -}}

{{/* Creates the service user in keystone (from <service>-keystone-user) with the admin role */}}
{{- define "helm-toolkit.manifests.job_ks_user" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $serviceUser := index . "serviceUser" | default $serviceName -}}
{{- $auth := index $envAll.Values.endpoints.identity.auth $serviceUser | required (printf "endpoints.identity.auth.%s is required" $serviceUser) -}}
apiVersion: batch/v1
kind: Job
{{ tuple $envAll $serviceName "ks-user" (index . "jobAnnotations") | include "helm-toolkit.manifests._job_metadata" }}
spec:
  backoffLimit: {{ dig "backoffLimit" 20 ($envAll.Values.jobs | default dict) }}
  template:
    metadata:
      labels:
        {{- tuple $envAll $serviceName "ks-user" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 8 }}
    spec:
      restartPolicy: OnFailure
      {{- tuple $envAll "job" | include "helm-toolkit.snippets.kubernetes_node_selector" | nindent 6 }}
      initContainers:
        {{- tuple $envAll "ks_user" | include "helm-toolkit.snippets.kubernetes_entrypoint_init_container" | nindent 8 }}
      containers:
        - name: ks-user
          {{- dict "envAll" $envAll "image" "ks_user" | include "helm-toolkit.snippets.image" | nindent 10 }}
          {{- tuple $envAll $envAll.Values.pod.resources.jobs.ks_user | include "helm-toolkit.snippets.kubernetes_resources" | nindent 10 }}
          command: [/tmp/ks-user.sh]
          env:
            {{- dict "secret" (printf "%s-keystone-admin" $serviceName) | include "helm-toolkit.snippets.keystone_openrc_env_vars" | nindent 12 }}
            - name: SERVICE_OS_SERVICE_NAME
              value: {{ $serviceName | quote }}
            - name: SERVICE_OS_ROLES
              value: {{ $auth.role | default "admin" | quote }}
            {{- range $var := list "OS_REGION_NAME" "OS_USER_DOMAIN_NAME" "OS_PROJECT_DOMAIN_NAME" "OS_PROJECT_NAME" "OS_USERNAME" "OS_PASSWORD" }}
            - name: {{ printf "SERVICE_%s" $var }}
              valueFrom:
                secretKeyRef: {name: {{ printf "%s-keystone-user" $serviceName }}, key: {{ $var }}}
            {{- end }}
          volumeMounts:
            - {name: bin, mountPath: /tmp/ks-user.sh, subPath: ks-user.sh, readOnly: true}
      volumes:
        - name: bin
          configMap: {name: {{ printf "%s-bin" $serviceName }}, defaultMode: 0555}
{{- end -}}

{{/*
Registers the service and its admin/internal/public endpoints in keystone.
  serviceTypes: list of endpoint types, e.g. (list "image") or (list "compute")
*/}}
{{- define "helm-toolkit.manifests.job_ks_service" -}}
{{- $envAll := index . "envAll" -}}
{{- $serviceName := index . "serviceName" -}}
{{- $serviceTypes := index . "serviceTypes" -}}
apiVersion: batch/v1
kind: Job
{{ tuple $envAll $serviceName "ks-service" (index . "jobAnnotations") | include "helm-toolkit.manifests._job_metadata" }}
spec:
  backoffLimit: {{ dig "backoffLimit" 20 ($envAll.Values.jobs | default dict) }}
  template:
    metadata:
      labels:
        {{- tuple $envAll $serviceName "ks-service" | include "helm-toolkit.snippets.kubernetes_metadata_labels" | nindent 8 }}
    spec:
      restartPolicy: OnFailure
      {{- tuple $envAll "job" | include "helm-toolkit.snippets.kubernetes_node_selector" | nindent 6 }}
      initContainers:
        {{- tuple $envAll "ks_service" | include "helm-toolkit.snippets.kubernetes_entrypoint_init_container" | nindent 8 }}
      containers:
      {{- range $type := $serviceTypes }}
        {{- $name := tuple $type $envAll | include "helm-toolkit.endpoints.keystone_endpoint_name_lookup" }}
        - name: {{ printf "%s-ks-service-registration" ($type | replace "_" "-") }}
          {{- dict "envAll" $envAll "image" "ks_service" | include "helm-toolkit.snippets.image" | nindent 10 }}
          command: [/tmp/ks-service.sh]
          env:
            {{- dict "secret" (printf "%s-keystone-admin" $serviceName) | include "helm-toolkit.snippets.keystone_openrc_env_vars" | nindent 12 }}
            - name: OS_SERVICE_NAME
              value: {{ $name | quote }}
            - name: OS_SERVICE_TYPE
              value: {{ $type | quote }}
          volumeMounts:
            - {name: bin, mountPath: /tmp/ks-service.sh, subPath: ks-service.sh, readOnly: true}
        {{- range $interface := list "admin" "internal" "public" }}
        - name: {{ printf "%s-ks-endpoints-%s" ($type | replace "_" "-") $interface }}
          {{- dict "envAll" $envAll "image" "ks_endpoints" | include "helm-toolkit.snippets.image" | nindent 10 }}
          command: [/tmp/ks-endpoints.sh]
          env:
            {{- dict "secret" (printf "%s-keystone-admin" $serviceName) | include "helm-toolkit.snippets.keystone_openrc_env_vars" | nindent 12 }}
            - name: OS_SVC_ENDPOINT
              value: {{ $interface | quote }}
            - name: OS_SERVICE_NAME
              value: {{ $name | quote }}
            - name: OS_SERVICE_TYPE
              value: {{ $type | quote }}
            - name: OS_SERVICE_ENDPOINT
              value: {{ tuple $type $interface "api" $envAll | include "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" | quote }}
          volumeMounts:
            - {name: bin, mountPath: /tmp/ks-endpoints.sh, subPath: ks-endpoints.sh, readOnly: true}
        {{- end }}
      {{- end }}
      volumes:
        - name: bin
          configMap: {name: {{ printf "%s-bin" $serviceName }}, defaultMode: 0555}
{{- end -}}
