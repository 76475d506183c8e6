#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory (mounted at /docker-entrypoint-initdb.d).
# One database and one login role per service, each owning only its own database. The passwords
# come from the environment (<NAME>_DB_PASSWORD, set in docker-compose.yml from .env); none is committed.
# A new service is one more word in DATABASES.
set -euo pipefail

DATABASES=(gateway customer sales service_desk projects)

for name in "${DATABASES[@]}"; do # all passwords first, so a missing one creates nothing
    var="${name^^}_DB_PASSWORD"
    : "${!var:?"$var must be set for the $name database"}"
done

for name in "${DATABASES[@]}"; do
    var="${name^^}_DB_PASSWORD"
    password=${!var}
    echo "creating database and role $name"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
