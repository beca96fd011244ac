{{/* Labels shared by every object: tuple $envAll "keystone" "api" */}}
{{- define "helm-toolkit.snippets.kubernetes_metadata_labels" -}}
{{- $envAll := index . 0 -}}
{{- $application := index . 1 -}}
{{- $component := index . 2 -}}
release_group: {{ $envAll.Values.release_group | default $envAll.Release.Name }}
application: {{ $application }}
component: {{ $component }}
app.kubernetes.io/name: {{ $application }}
app.kubernetes.io/component: {{ $component }}
app.kubernetes.io/instance: {{ $envAll.Release.Name }}
app.kubernetes.io/managed-by: {{ $envAll.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $envAll.Chart.Name $envAll.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* The subset of labels that is immutable, for selectors */}}
{{- define "helm-toolkit.snippets.kubernetes_selector_labels" -}}
{{- $envAll := index . 0 -}}
release_group: {{ $envAll.Values.release_group | default $envAll.Release.Name }}
application: {{ index . 1 }}
component: {{ index . 2 }}
{{- end -}}

{{/* image and pull policy: dict "envAll" $envAll "image" "keystone_api" */}}
{{- define "helm-toolkit.snippets.image" -}}
{{- $envAll := index . "envAll" -}}
{{- $name := index . "image" -}}
{{- $image := index $envAll.Values.images.tags $name | required (printf "images.tags.%s is required" $name) -}}
{{- with $envAll.Values.images.registry -}}
{{- /* a mirror registry replaces the image's own registry host, or prefixes a bare name */ -}}
{{- if regexMatch "^[a-z0-9-]+(\\.[a-z0-9-]+)+(:[0-9]+)?/" $image -}}
{{- $image = regexReplaceAll "^[a-z0-9-]+(\\.[a-z0-9-]+)+(:[0-9]+)?/" $image (printf "%s/" .) -}}
{{- else -}}
{{- $image = printf "%s/%s" . $image -}}
{{- end -}}
{{- end -}}
image: {{ $image | quote }}
imagePullPolicy: {{ $envAll.Values.images.pull_policy | default "IfNotPresent" }}
{{- end -}}

{{/* resources block when pod.resources.enabled: tuple $envAll $envAll.Values.pod.resources.api */}}
{{- define "helm-toolkit.snippets.kubernetes_resources" -}}
{{- $envAll := index . 0 -}}
{{- $component := index . 1 -}}
{{- if $envAll.Values.pod.resources.enabled -}}
resources:
{{- with $component.limits }}
  limits:
    {{- range $k, $v := . }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
{{- end }}
{{- with $component.requests }}
  requests:
    {{- range $k, $v := . }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
{{- end }}
{{- else -}}
resources: {}
{{- end -}}
{{- end -}}

{{/* nodeSelector from labels.<component>: tuple $envAll "api" */}}
{{- define "helm-toolkit.snippets.kubernetes_node_selector" -}}
{{- $envAll := index . 0 -}}
{{- $labels := index $envAll.Values.labels (index . 1) | default $envAll.Values.labels.job -}}
nodeSelector:
  {{ $labels.node_selector_key }}: {{ $labels.node_selector_value | quote }}
{{- end -}}

{{/* Spread replicas over nodes: tuple $envAll "keystone" "api" */}}
{{- define "helm-toolkit.snippets.kubernetes_pod_anti_affinity" -}}
{{- $envAll := index . 0 -}}
{{- $type := $envAll.Values.pod.affinity.anti.type.default | default "preferredDuringSchedulingIgnoredDuringExecution" -}}
affinity:
  podAntiAffinity:
    {{ $type }}:
    {{- if hasPrefix "preferred" $type }}
      - weight: {{ $envAll.Values.pod.affinity.anti.weight.default | default 10 }}
        podAffinityTerm:
          labelSelector:
            matchExpressions:
              - {key: release_group, operator: In, values: [{{ $envAll.Values.release_group | default $envAll.Release.Name | quote }}]}
              - {key: application, operator: In, values: [{{ index . 1 | quote }}]}
              - {key: component, operator: In, values: [{{ index . 2 | quote }}]}
          topologyKey: {{ $envAll.Values.pod.affinity.anti.topologyKey.default | default "kubernetes.io/hostname" }}
    {{- else }}
      - labelSelector:
          matchExpressions:
            - {key: application, operator: In, values: [{{ index . 1 | quote }}]}
            - {key: component, operator: In, values: [{{ index . 2 | quote }}]}
        topologyKey: {{ $envAll.Values.pod.affinity.anti.topologyKey.default | default "kubernetes.io/hostname" }}
    {{- end }}
{{- end -}}

{{/*
Init container that blocks until the component's dependencies exist, like
kubernetes-entrypoint: tuple $envAll "api". Reads dependencies.static.<component>:
  services: [{endpoint: internal, service: oslo_db}]
  jobs: [keystone-db-sync]
  pod: [{requireSameNode: true, labels: {application: openvswitch}}]
*/}}
{{- define "helm-toolkit.snippets.kubernetes_entrypoint_init_container" -}}
{{- $envAll := index . 0 -}}
{{- $component := index . 1 -}}
{{- $deps := index $envAll.Values.dependencies.static $component | default dict -}}
{{- $services := list -}}
{{- range $deps.services -}}
{{- $ns := tuple .service $envAll | include "helm-toolkit.endpoints.endpoint_namespace_lookup" -}}
{{- $host := tuple .service .endpoint $envAll | include "helm-toolkit.endpoints.hostname_short_endpoint_lookup" -}}
{{- $services = append $services (printf "%s:%s" $ns $host) -}}
{{- end -}}
{{- $jobs := list -}}
{{- range $deps.jobs -}}
{{- $jobs = append $jobs (printf "%s:%s" $envAll.Release.Namespace .) -}}
{{- end -}}
- name: init
  {{- tuple $envAll "dep_check" | include "helm-toolkit.snippets._image_tuple" | nindent 2 }}
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    runAsUser: 65534
  env:
    - name: POD_NAME
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
    - name: NAMESPACE
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}
    - name: DEPENDENCY_SERVICE
      value: {{ $services | join "," | quote }}
    - name: DEPENDENCY_JOBS
      value: {{ $jobs | join "," | quote }}
    - name: DEPENDENCY_DAEMONSET
      value: {{ $deps.daemonset | default list | join "," | quote }}
    - name: DEPENDENCY_POD_JSON
      value: {{ $deps.pod | default list | toJson | quote }}
  command: [kubernetes-entrypoint]
{{- end -}}

{{- define "helm-toolkit.snippets._image_tuple" -}}
{{- dict "envAll" (index . 0) "image" (index . 1) | include "helm-toolkit.snippets.image" -}}
{{- end -}}

{{/* Keystone credentials as OS_* environment variables from a Secret: dict "secret" "keystone-keystone-admin" */}}
{{- define "helm-toolkit.snippets.keystone_openrc_env_vars" -}}
{{- $secret := index . "secret" -}}
{{- range $i, $var := list "OS_IDENTITY_API_VERSION" "OS_AUTH_URL" "OS_REGION_NAME" "OS_INTERFACE" "OS_PROJECT_DOMAIN_NAME" "OS_PROJECT_NAME" "OS_USER_DOMAIN_NAME" "OS_USERNAME" "OS_PASSWORD" }}
{{- if $i }}{{ printf "\n" }}{{ end -}}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $var }}
{{- end }}
{{- end -}}
