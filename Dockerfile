# syntax=docker/dockerfile:1
# One image for every CRM process (gateway, services, workers, one-shot jobs); docker-compose.yml picks
# the command. Build: docker build -t crm .
#
# Packages are installed editable from /app because each service finds its Alembic migrations beside
# its source tree (<package>/migrations), not inside the installed package.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY libs/ libs/
COPY services/ services/
COPY gateway/ gateway/
COPY deploy/gunicorn.conf.py deploy/
RUN pip install -e libs/crmkit -e services/customer -e services/sales -e services/service-desk \
        -e services/projects -e gateway \
    && python -m compileall -q libs services gateway

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CRM_DATA_DIR=/var/lib/crm
RUN groupadd --system --gid 10001 crm \
    && useradd --system --uid 10001 --gid crm --home-dir /app --shell /usr/sbin/nologin crm \
    && install -d -o crm -g crm -m 0750 /var/lib/crm /var/lib/crm/keys /var/lib/crm/attachments \
        /var/lib/crm/documents
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER crm:crm
EXPOSE 8080 8101 8102 8103 8104
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "gateway.wsgi:app"]
