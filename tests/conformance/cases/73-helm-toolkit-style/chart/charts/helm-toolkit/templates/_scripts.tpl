{{- define "helm-toolkit.scripts.db_init" -}}
#!/bin/bash
# Create the service database and grant its user access; idempotent.
set -ex
root_uri="${ROOT_DB_CONNECTION}"
user_uri="${DB_CONNECTION}"
parse() { python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print({'user':p.username,'pass':u.unquote(p.password or ''),'host':p.hostname,'port':p.port or 3306,'db':p.path.lstrip('/')}[sys.argv[2]])" "$1" "$2"; }
mysql --host="$(parse "$root_uri" host)" --port="$(parse "$root_uri" port)" \
  --user="$(parse "$root_uri" user)" --password="$(parse "$root_uri" pass)" <<SQL
CREATE DATABASE IF NOT EXISTS \`$(parse "$user_uri" db)\`;
CREATE USER IF NOT EXISTS '$(parse "$user_uri" user)'@'%' IDENTIFIED BY '$(parse "$user_uri" pass)';
GRANT ALL ON \`$(parse "$user_uri" db)\`.* TO '$(parse "$user_uri" user)'@'%';
SQL
{{- end -}}

{{- define "helm-toolkit.scripts.ks_user" -}}
#!/bin/bash
set -ex
openstack project show "${SERVICE_OS_PROJECT_NAME}" --domain="${SERVICE_OS_PROJECT_DOMAIN_NAME}" || \
  openstack project create --domain="${SERVICE_OS_PROJECT_DOMAIN_NAME}" "${SERVICE_OS_PROJECT_NAME}"
openstack user create --or-show --domain="${SERVICE_OS_USER_DOMAIN_NAME}" \
  --password="${SERVICE_OS_PASSWORD}" "${SERVICE_OS_USERNAME}"
for role in ${SERVICE_OS_ROLES//,/ }; do
  openstack role add --user="${SERVICE_OS_USERNAME}" --user-domain="${SERVICE_OS_USER_DOMAIN_NAME}" \
    --project="${SERVICE_OS_PROJECT_NAME}" --project-domain="${SERVICE_OS_PROJECT_DOMAIN_NAME}" "${role}"
done
{{- end -}}

{{- define "helm-toolkit.scripts.ks_service" -}}
#!/bin/bash
set -ex
openstack service show "${OS_SERVICE_TYPE}" || \
  openstack service create --name="${OS_SERVICE_NAME}" "${OS_SERVICE_TYPE}"
{{- end -}}

{{- define "helm-toolkit.scripts.ks_endpoints" -}}
#!/bin/bash
set -ex
existing=$(openstack endpoint list --service="${OS_SERVICE_TYPE}" --interface="${OS_SVC_ENDPOINT}" --region="${OS_REGION_NAME}" -f value -c URL)
if [ "${existing}" != "${OS_SERVICE_ENDPOINT}" ]; then
  openstack endpoint create --region="${OS_REGION_NAME}" "${OS_SERVICE_TYPE}" "${OS_SVC_ENDPOINT}" "${OS_SERVICE_ENDPOINT}"
fi
{{- end -}}
