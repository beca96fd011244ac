{{- define "keystone.scripts.fernet_setup" -}}
#!/bin/bash
# Generate fernet and credential keys once and store them in Secrets.
set -ex
for repo in fernet-keys credential-keys; do
  if ! kubectl get secret "keystone-${repo}" -n "${NAMESPACE}" >/dev/null 2>&1; then
    keystone-manage "${repo%-keys}_setup" --keystone-user keystone --keystone-group keystone
    kubectl create secret generic "keystone-${repo}" -n "${NAMESPACE}" \
      --from-file="/etc/keystone/${repo}/"
  fi
done
{{- end -}}

{{- define "keystone.scripts.bootstrap" -}}
#!/bin/bash
set -ex
keystone-manage --config-file=/etc/keystone/keystone.conf bootstrap \
  --bootstrap-username "${OS_USERNAME}" \
  --bootstrap-password "${OS_PASSWORD}" \
  --bootstrap-project-name "${OS_PROJECT_NAME}" \
  --bootstrap-admin-url {{ tuple "identity" "admin" "api" . | include "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" }} \
  --bootstrap-internal-url {{ tuple "identity" "internal" "api" . | include "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" }} \
  --bootstrap-public-url {{ tuple "identity" "public" "api" . | include "helm-toolkit.endpoints.keystone_endpoint_uri_lookup" }} \
  --bootstrap-region-id "${OS_REGION_NAME}"
{{- end -}}

{{- define "keystone.scripts.api" -}}
#!/bin/bash
set -ex
COMMAND="${@:-start}"
if [ "${COMMAND}" = "start" ]; then
  exec uwsgi --http-socket :{{ tuple "identity" "internal" "api" . | include "helm-toolkit.endpoints.endpoint_port_lookup" }} \
    --wsgi-file /var/lib/openstack/bin/keystone-wsgi-public --processes {{ .Values.conf.wsgi_processes | default 4 }}
elif [ "${COMMAND}" = "stop" ]; then
  kill -TERM 1
fi
{{- end -}}
