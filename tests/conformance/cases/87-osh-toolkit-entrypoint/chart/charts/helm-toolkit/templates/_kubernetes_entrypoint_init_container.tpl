{{- define "helm-toolkit.snippets.kubernetes_entrypoint_init_container" -}}
{{- $envAll := index . 0 -}}
{{- $component := index . 1 -}}
{{- $mounts := index . 2 -}}

{{- $_ := set $envAll.Values "__depParams" ( list ) }}
{{- if and ($envAll.Values.dependencies.dynamic.common) (kindIs "map" $envAll.Values.dependencies.dynamic.common) }}
{{- $_ := set $envAll.Values "__depParams" ( append $envAll.Values.__depParams ( index $envAll.Values.dependencies.dynamic.common "local_image_registry" ) ) }}
{{- end }}
{{- $_ := set $envAll.Values "__depParams" ( append $envAll.Values.__depParams ( index $envAll.Values.dependencies.static $component ) ) }}
{{- $deps := dict }}
{{- range $dep := $envAll.Values.__depParams }}
{{- range $key, $value := $dep }}
{{- $existing := index $deps $key | default list }}
{{- $_ := set $deps $key (concat $existing $value | uniq) }}
{{- end }}
{{- end }}
- name: init
  image: {{ $envAll.Values.images.tags.dep_check }}
  imagePullPolicy: {{ $envAll.Values.images.pull_policy }}
{{ tuple $envAll "dep_check" | include "helm-toolkit.snippets.kubernetes_resources" | indent 2 }}
  env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: metadata.name
    - name: NAMESPACE
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: metadata.namespace
    - name: INTERFACE_NAME
      value: eth0
    - name: PATH
      value: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin/
    - name: DEPENDENCY_SERVICE
      value: "{{ tuple $deps.services $envAll | include "helm-toolkit.utils.comma_joined_service_list" }}"
{{- if $deps.jobs -}}
  {{- if kindIs "string" (index $deps.jobs 0) }}
    - name: DEPENDENCY_JOBS
      value: "{{ include "helm-toolkit.utils.joinListWithComma" $deps.jobs }}"
  {{- else }}
    - name: DEPENDENCY_JOBS_JSON
      value: {{- toJson $deps.jobs | quote -}}
  {{- end -}}
{{- end }}
    - name: DEPENDENCY_DAEMONSET
      value: "{{ include "helm-toolkit.utils.joinListWithComma" $deps.daemonset }}"
    - name: DEPENDENCY_CONTAINER
      value: "{{ include "helm-toolkit.utils.joinListWithComma" $deps.container }}"
    - name: DEPENDENCY_POD_JSON
      value: {{ if $deps.pod }}{{ toJson $deps.pod | quote }}{{ else }}""{{ end }}
    - name: DEPENDENCY_CUSTOM_RESOURCE
      value: {{ if $deps.custom_resources }}{{ toJson $deps.custom_resources | quote }}{{ else }}""{{ end }}
  command:
    - kubernetes-entrypoint
  volumeMounts:
{{ toYaml $mounts | indent 4 }}
{{- $_ := unset $envAll.Values "__depParams" }}
{{- end -}}
