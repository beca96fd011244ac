{{/*
Endpoint lookups over the shared `endpoints` values tree, in the style of
OpenStack-Helm. Every lookup takes a tuple whose last element is the root context:

  endpoints:
    cluster_domain_suffix: cluster.local
    <type>:                      # identity, oslo_db, image, compute, ...
      namespace: null            # defaults to the release namespace
      name: keystone             # service name registered in keystone
      hosts: {default: keystone, internal: keystone-api, public: {host: keystone}}
      host_fqdn_override: {default: null, public: {host: identity.example.org}}
      path: {default: /v3}       # or a plain string
      scheme: {default: http}    # or a plain string
      port: {api: {default: 80, internal: 5000}}
      auth: {admin: {username: ..., password: ...}}
*/}}

{{- define "helm-toolkit.endpoints._map" -}}
{{- $type := index . 0 | replace "-" "_" -}}
{{- $context := index . 1 -}}
{{- $map := index $context.Values.endpoints $type -}}
{{- if not $map -}}
{{- fail (printf "endpoints.%s is not defined in the values of chart %s" $type $context.Chart.Name) -}}
{{- end -}}
{{- toJson $map -}}
{{- end -}}

{{/* pick endpoint-specific entry of a map, falling back to `default`; strings pass through */}}
{{- define "helm-toolkit.endpoints._pick" -}}
{{- $value := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- if kindIs "map" $value -}}
{{- $picked := index $value $endpoint | default $value.default -}}
{{- if kindIs "map" $picked }}{{ $picked.host | default "" }}{{ else }}{{ $picked | default "" }}{{ end -}}
{{- else -}}
{{- $value | default "" -}}
{{- end -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.hostname_short_endpoint_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $context := index . 2 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- tuple $map.hosts $endpoint | include "helm-toolkit.endpoints._pick" -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.endpoint_namespace_lookup" -}}
{{- $type := index . 0 -}}
{{- $context := index . 1 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- $map.namespace | default $context.Release.Namespace -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.hostname_namespaced_endpoint_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $context := index . 2 -}}
{{- $host := tuple $type $endpoint $context | include "helm-toolkit.endpoints.hostname_short_endpoint_lookup" -}}
{{- $namespace := tuple $type $context | include "helm-toolkit.endpoints.endpoint_namespace_lookup" -}}
{{- printf "%s.%s" $host $namespace -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.hostname_fqdn_endpoint_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $context := index . 2 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- $override := "" -}}
{{- with $map.host_fqdn_override -}}
{{- $override = tuple . $endpoint | include "helm-toolkit.endpoints._pick" -}}
{{- end -}}
{{- if $override -}}
{{- $override -}}
{{- else -}}
{{- $namespaced := tuple $type $endpoint $context | include "helm-toolkit.endpoints.hostname_namespaced_endpoint_lookup" -}}
{{- printf "%s.svc.%s" $namespaced ($context.Values.endpoints.cluster_domain_suffix | default "cluster.local") -}}
{{- end -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.endpoint_port_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $port := index . 2 -}}
{{- $context := index . 3 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- $ports := index $map.port $port | required (printf "endpoints.%s.port.%s is required" $type $port) -}}
{{- index $ports $endpoint | default $ports.default | int -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.endpoint_scheme_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $context := index . 2 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- tuple ($map.scheme | default "http") $endpoint | include "helm-toolkit.endpoints._pick" -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.keystone_endpoint_path_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $context := index . 2 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- tuple ($map.path | default "/") $endpoint | include "helm-toolkit.endpoints._pick" -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.keystone_endpoint_name_lookup" -}}
{{- $type := index . 0 -}}
{{- $context := index . 1 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- $map.name | default $type -}}
{{- end -}}

{{/* scheme://fqdn:port/path, e.g. http://keystone-api.openstack.svc.cluster.local:5000/v3 */}}
{{- define "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $port := index . 2 -}}
{{- $context := index . 3 -}}
{{- $scheme := tuple $type $endpoint $context | include "helm-toolkit.endpoints.endpoint_scheme_lookup" -}}
{{- $host := tuple $type $endpoint $context | include "helm-toolkit.endpoints.hostname_fqdn_endpoint_lookup" -}}
{{- $portNum := tuple $type $endpoint $port $context | include "helm-toolkit.endpoints.endpoint_port_lookup" -}}
{{- $path := tuple $type $endpoint $context | include "helm-toolkit.endpoints.keystone_endpoint_path_lookup" -}}
{{- printf "%s://%s:%s%s" $scheme $host $portNum $path -}}
{{- end -}}

{{/* scheme://user:password@fqdn:port/path for databases and message queues */}}
{{- define "helm-toolkit.endpoints.authenticated_endpoint_uri_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $userclass := index . 2 -}}
{{- $port := index . 3 -}}
{{- $context := index . 4 -}}
{{- $map := include "helm-toolkit.endpoints._map" (tuple $type $context) | fromJson -}}
{{- $auth := index $map.auth $userclass | required (printf "endpoints.%s.auth.%s is required" $type $userclass) -}}
{{- $scheme := tuple $type $endpoint $context | include "helm-toolkit.endpoints.endpoint_scheme_lookup" -}}
{{- $host := tuple $type $endpoint $context | include "helm-toolkit.endpoints.hostname_fqdn_endpoint_lookup" -}}
{{- $portNum := tuple $type $endpoint $port $context | include "helm-toolkit.endpoints.endpoint_port_lookup" -}}
{{- $path := tuple $type $endpoint $context | include "helm-toolkit.endpoints.keystone_endpoint_path_lookup" -}}
{{- printf "%s://%s:%s@%s:%s%s" $scheme $auth.username ($auth.password | toString | urlquery) $host $portNum $path -}}
{{- end -}}

{{- define "helm-toolkit.endpoints.host_and_port_endpoint_uri_lookup" -}}
{{- $type := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $port := index . 2 -}}
{{- $context := index . 3 -}}
{{- $host := tuple $type $endpoint $context | include "helm-toolkit.endpoints.hostname_fqdn_endpoint_lookup" -}}
{{- $portNum := tuple $type $endpoint $port $context | include "helm-toolkit.endpoints.endpoint_port_lookup" -}}
{{- printf "%s:%s" $host $portNum -}}
{{- end -}}
