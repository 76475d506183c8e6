"""deploy/k8s keeps the production rules: probes, limits, non-root, secrets only from Secrets, migrate first.

Pure parsing (no cluster, no kubectl): every YAML document under deploy/k8s is loaded and checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
NAMESPACE = "crm"
IMAGE = "crm-platform"
EDGE_IMAGE = "crm-edge-nginx"
SECRETS = {"crm-database-urls", "crm-broker", "crm-gateway-admin", "crm-gateway-keys", "crm-gateway-webhooks"}
SERVICES_BEHIND_THE_GATEWAY = ("customer", "sales", "service-desk", "projects")
MIGRATE_COMMANDS = {
    "gateway": [["crm-gateway", "init"], ["crm-gateway", "migrate"]],  # web pods also make keys and the admin
    **{name: [[f"crm-{name}", "migrate"]] for name in SERVICES_BEHIND_THE_GATEWAY},
}
CLUSTER_SCOPED = {"Namespace"}
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|TOKEN|PRIVATE|_URL$|^DATABASE_URL$", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^<[^<>]+>$")

KUSTOMIZATION: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
MANIFEST_FILES = sorted(
    p.name for p in K8S.iterdir() if p.suffix in {".yaml", ".yml"} and p.stem != "kustomization"
)


def _load(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc is not None]


DOCS: list[tuple[str, dict[str, Any]]] = [(name, doc) for name in MANIFEST_FILES for doc in _load(name)]


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in DOCS if doc["kind"] == kind}


DEPLOYMENTS = of_kind("Deployment")
SERVICES = of_kind("Service")
JOBS = of_kind("Job")
CONFIG = of_kind("ConfigMap")["crm-config"]["data"]
README = (K8S / "README.md").read_text()


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: dict[str, Any], *, init: bool = True) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return (spec.get("initContainers", []) if init else []) + spec["containers"]


def main_container(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod's one container; in a pod with a sidecar (the edge's authorizer), the one named after it."""
    pod_containers = pod_spec(workload)["containers"]
    if len(pod_containers) == 1:
        return pod_containers[0]
    (container,) = [c for c in pod_containers if c["name"] == workload["metadata"]["name"]]
    return container


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def secret_ref(container: dict[str, Any], variable: str) -> tuple[str, str] | None:
    ref = env_of(container).get(variable, {}).get("valueFrom", {}).get("secretKeyRef")
    return (ref["name"], ref["key"]) if ref else None


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def is_web(deployment: dict[str, Any]) -> bool:
    return any(c.get("ports") for c in pod_spec(deployment)["containers"])


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= labels.items()


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, value) of every string anywhere in a document, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", str(key)
            yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


EDGE = "edge"  # nginx, not one of our Python apps: checked by its own tests below
AUTHORIZER_COMMAND = ["crm-gateway", "edge", "authorizer"]  # the edge's sidecar: the gateway's code
WEB = {name: d for name, d in DEPLOYMENTS.items() if is_web(d) and name != EDGE}
APPS = {name: d for name, d in DEPLOYMENTS.items() if name != EDGE}
WORKLOADS = DEPLOYMENTS | JOBS


# ------------------------------------------------------------------------------------------- the folder
def test_the_folder_holds_the_expected_objects() -> None:
    assert {"gateway", *SERVICES_BEHIND_THE_GATEWAY} == WEB.keys()
    workers = {f"{name}-worker" for name in SERVICES_BEHIND_THE_GATEWAY}
    assert DEPLOYMENTS.keys() == {EDGE, "gateway", "gateway-worker", *SERVICES_BEHIND_THE_GATEWAY} | workers
    assert {EDGE, "gateway", *SERVICES_BEHIND_THE_GATEWAY} <= SERVICES.keys()
    assert "broker-setup" in JOBS
    assert of_kind("Namespace").keys() == {NAMESPACE}


def test_kustomization_lists_every_file_and_only_existing_ones() -> None:
    listed = KUSTOMIZATION["resources"]

    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert sorted(listed) == MANIFEST_FILES, (
        "kustomization.yaml resources differ from the files in deploy/k8s"
    )
    assert KUSTOMIZATION["namespace"] == NAMESPACE


def test_the_image_is_a_placeholder_kustomize_sets() -> None:
    images = {entry["name"]: entry for entry in KUSTOMIZATION["images"]}
    used = {c["image"] for w in WORKLOADS.values() for c in containers(w)}

    assert used == {IMAGE, EDGE_IMAGE}, (
        "containers name placeholders; kustomization.yaml sets registry and tag"
    )
    assert images[IMAGE]["newTag"] and images[EDGE_IMAGE]["newTag"]


@pytest.mark.parametrize(("file", "index"), [(f, i) for f in MANIFEST_FILES for i in range(len(_load(f)))])
def test_every_object_is_well_formed_and_in_the_crm_namespace(file: str, index: int) -> None:
    doc = _load(file)[index]

    assert doc.get("apiVersion") and doc.get("kind") and doc.get("metadata", {}).get("name"), file
    if doc["kind"] not in CLUSTER_SCOPED:
        assert doc["metadata"].get("namespace") == NAMESPACE, (
            f"{file}: {doc['kind']} {doc['metadata']['name']}"
        )


# ----------------------------------------------------------------------------------------- deployments
@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_selector_matches_the_pod_labels(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    selector = deployment["spec"]["selector"]["matchLabels"]

    assert selects(selector, pod_labels(deployment))
    others = [other for other, d in DEPLOYMENTS.items() if other != name and selects(selector, pod_labels(d))]
    assert others == [], f"{name}'s selector also matches {others}"


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_every_deployment_has_readiness_and_liveness_probes(name: str) -> None:
    for sidecar_or_main in containers(DEPLOYMENTS[name], init=False):
        assert sidecar_or_main.get("readinessProbe") and sidecar_or_main.get("livenessProbe"), (
            f"{name}/{sidecar_or_main['name']}"
        )
    container = main_container(DEPLOYMENTS[name])
    if name in WEB:
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            check = container[probe].get("httpGet")
            assert check and check["path"] == path and check["port"] in ports, f"{name} {probe}"


def test_the_worker_is_alive_while_the_outbox_relay_keeps_up() -> None:
    command = " ".join(main_container(DEPLOYMENTS["customer-worker"])["livenessProbe"]["exec"]["command"])

    assert "crm-customer events outbox-lag" in command and "oldest_age_seconds" in command


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_every_container_has_requests_and_limits(name: str) -> None:
    for container in containers(WORKLOADS[name]):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= resources.get(bound, {}).keys(), f"{name}/{container['name']} {bound}"


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_every_pod_runs_as_non_root_on_a_read_only_root_filesystem(name: str) -> None:
    spec = pod_spec(WORKLOADS[name])
    tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}

    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"].get("runAsUser", 0) != 0
    assert spec.get("automountServiceAccountToken") is False
    for container in containers(WORKLOADS[name]):
        context = container.get("securityContext", {})
        assert context.get("allowPrivilegeEscalation") is False, container["name"]
        assert context.get("readOnlyRootFilesystem") is True, container["name"]
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        if container["command"][0] != "sh":  # Python processes get a writable /tmp
            assert mounts.get("/tmp") in tmp_volumes, f"{name}/{container['name']} has no emptyDir on /tmp"


@pytest.mark.parametrize("name", sorted(WEB))
def test_web_processes_run_gunicorn_on_their_port_and_stop_gracefully(name: str) -> None:
    container = main_container(WEB[name])
    (port,) = container["ports"]
    graceful = int(
        re.search(r"^graceful_timeout = (\d+)", (ROOT / "deploy/gunicorn.conf.py").read_text(), re.M)[1]
    )
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_stop_seconds = int(pre_stop[1]) if pre_stop[:1] == ["sleep"] else 0

    assert container["command"][:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert env_of(container)["PORT"]["value"] == str(port["containerPort"])
    assert "WEB_CONCURRENCY" in env_of(container)
    assert pod_spec(WEB[name])["terminationGracePeriodSeconds"] > pre_stop_seconds + graceful


@pytest.mark.parametrize("name", sorted(APPS))
def test_apps_read_settings_from_the_config_map(name: str) -> None:
    container = main_container(APPS[name])
    config_maps = {
        ref["configMapRef"]["name"] for ref in container.get("envFrom", []) if "configMapRef" in ref
    }

    assert config_maps == {"crm-config"}
    assert secret_ref(container, "BROKER_URL") == ("crm-broker", "BROKER_URL")
    assert CONFIG["JWT_JWKS_URL"] == "http://gateway:8080/api/v1/auth/jwks.json"
    assert "LOG_LEVEL" in CONFIG
    assert (
        CONFIG["CRM_SERVICE_URL_CUSTOMER"]
        == f"http://customer:{SERVICES['customer']['spec']['ports'][0]['port']}"
    )


# --------------------------------------------------------------------------------------------- secrets
def test_no_secret_object_is_committed() -> None:
    assert of_kind("Secret") == {}
    assert not list(K8S.rglob("*.pem")) and not list(K8S.rglob("*.env"))


@pytest.mark.parametrize("file", MANIFEST_FILES)
def test_no_literal_secret_anywhere(file: str) -> None:
    for doc in _load(file):
        for path, value in strings(doc):
            assert not URL_WITH_PASSWORD.search(value), f"{file}{path}: credentials in a URL"
        for key in doc.get("data", {}) if doc["kind"] == "ConfigMap" else ():
            assert not re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE|DATABASE_URL|BROKER_URL", key), (
                f"{file}: {key}"
            )


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_secret_looking_variables_come_only_from_secrets(name: str) -> None:
    for container in containers(WORKLOADS[name]):
        for variable, entry in env_of(container).items():
            if SECRET_NAME.search(variable) and variable != "RABBITMQ_API_URL" and "value" in entry:
                pytest.fail(f"{name}/{container['name']}: {variable} has a literal value")
        for ref in container.get("envFrom", []):
            assert "configMapRef" in ref or ref.get("secretRef", {}).get("name") in SECRETS


def test_only_the_documented_secrets_are_referenced_and_the_readme_creates_them() -> None:
    referenced: dict[str, set[str]] = {}
    for workload in WORKLOADS.values():
        for container in containers(workload):
            for variable in env_of(container):
                ref = secret_ref(container, variable)
                if ref:
                    referenced.setdefault(ref[0], set()).add(ref[1])
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                referenced.setdefault(volume["secret"]["secretName"], set())

    assert referenced.keys() == SECRETS
    for secret, keys in referenced.items():
        assert f"create secret generic {secret}" in README, secret
        for key in keys:
            assert f"--from-literal={key}=" in README, f"README does not show {secret}'s key {key}"


def test_the_readme_shows_placeholders_not_values() -> None:
    for password in URL_WITH_PASSWORD.findall(README):
        assert PLACEHOLDER.match(password), f"README: {password!r} looks like a real password"
    passwords = re.findall(r"--from-literal=[A-Z_]*PASSWORD=(?:'([^']*)'|(\S+))", README)
    assert passwords
    for quoted, bare in passwords:
        assert PLACEHOLDER.match(quoted or bare), quoted or bare


def test_each_service_reads_its_own_database_url() -> None:
    owners: dict[str, set[str]] = {}
    for workload in WORKLOADS.values():
        for container in containers(workload):
            service = pod_labels(workload)["app.kubernetes.io/name"]
            if container["command"][:3] == AUTHORIZER_COMMAND:  # the gateway's rate-limit counters
                service = "gateway"
            if "DATABASE_URL" in env_of(container):
                ref = secret_ref(container, "DATABASE_URL")
                assert ref and ref[0] == "crm-database-urls", f"{service}: DATABASE_URL not from the Secret"
                owners.setdefault(ref[1], set()).add(service)

    assert owners == {name: {name} for name in ("gateway", *SERVICES_BEHIND_THE_GATEWAY)}


# ----------------------------------------------------------------------------------------- migrations
@pytest.mark.parametrize("name", sorted(APPS))
def test_the_migration_of_its_database_runs_before_the_main_container(name: str) -> None:
    deployment = APPS[name]
    service = pod_labels(deployment)["app.kubernetes.io/name"]
    database = secret_ref(main_container(deployment), "DATABASE_URL")
    migrations = [
        c
        for c in pod_spec(deployment).get("initContainers", [])
        if c["command"] in MIGRATE_COMMANDS[service] and secret_ref(c, "DATABASE_URL") == database
    ]

    assert database and len(migrations) == 1, f"{name} does not migrate its database first"


def test_the_gateway_copies_its_signing_keys_to_a_writable_folder_first() -> None:
    spec = pod_spec(DEPLOYMENTS["gateway"])
    volumes = {v["name"]: v for v in spec["volumes"]}
    init = [c["name"] for c in spec["initContainers"]]
    copy = spec["initContainers"][0]
    keys_dir = env_of(main_container(DEPLOYMENTS["gateway"]))["CRM_KEYS_DIR"]["value"]

    def mount_of(container: dict[str, Any], path: str) -> dict[str, Any]:
        (mount,) = [m for m in container["volumeMounts"] if path.startswith(m["mountPath"])]
        return mount

    assert init == ["signing-keys", "migrate"]
    secret_mounts = [m for m in copy["volumeMounts"] if "secret" in volumes[m["name"]]]
    assert [volumes[m["name"]]["secret"]["secretName"] for m in secret_mounts] == ["crm-gateway-keys"]
    assert "exit 1" in copy["command"][-1], "without a key in the Secret each replica would make its own"
    for container in (copy, spec["initContainers"][1], main_container(DEPLOYMENTS["gateway"])):
        mount = mount_of(container, keys_dir)
        assert "emptyDir" in volumes[mount["name"]] and not mount.get("readOnly")
    for container in spec["initContainers"][1:] + spec["containers"]:
        assert all("secret" not in volumes[m["name"]] for m in container["volumeMounts"]), container["name"]


def test_the_gateway_and_its_worker_encrypt_webhook_secrets_with_the_same_secret_keys() -> None:
    """Every gateway container that can touch webhook secrets (the web process, `init`, the worker) reads
    CRM_WEBHOOK_SECRET_KEYS from one Secret: a pod without it would make a key file of its own."""
    expected = ("crm-gateway-webhooks", "CRM_WEBHOOK_SECRET_KEYS")
    gateway, worker = DEPLOYMENTS["gateway"], DEPLOYMENTS["gateway-worker"]
    (init,) = [c for c in pod_spec(gateway)["initContainers"] if c["command"] == ["crm-gateway", "init"]]
    for container in (main_container(gateway), init, main_container(worker)):
        assert secret_ref(container, "CRM_WEBHOOK_SECRET_KEYS") == expected, container["name"]


# -------------------------------------------------------------------------------- services and ingress
@pytest.mark.parametrize("name", sorted(WEB))
def test_a_service_selects_each_web_deployment_on_its_port(name: str) -> None:
    deployment = WEB[name]
    (port,) = main_container(deployment)["ports"]
    matching = [s for s in SERVICES.values() if selects(s["spec"]["selector"], pod_labels(deployment))]

    assert len(matching) == 1, f"{name}: {len(matching)} Services select it"
    (service,) = matching
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        (port["containerPort"], port["name"])
    ]
    assert not any(
        selects(service["spec"]["selector"], pod_labels(d))
        for d in DEPLOYMENTS.values()
        if d is not deployment
    )


@pytest.mark.parametrize("name", sorted(WEB))
def test_each_web_deployment_has_a_disruption_budget(name: str) -> None:
    deployment = WEB[name]
    budgets = [
        b
        for b in of_kind("PodDisruptionBudget").values()
        if selects(b["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    ]

    assert len(budgets) == 1
    assert budgets[0]["spec"].get("minAvailable", 0) < deployment["spec"]["replicas"]
    assert deployment["spec"]["replicas"] >= 2


def test_the_ingress_routes_only_to_the_gateway() -> None:
    ingresses = of_kind("Ingress")
    backends = [
        path["backend"]["service"]
        for ingress in ingresses.values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]

    assert len(ingresses) == 1 and backends
    assert "defaultBackend" not in next(iter(ingresses.values()))["spec"]
    assert all(b["name"] == EDGE and b["port"] in ({"name": "http"}, {"number": 8080}) for b in backends)


def test_the_edge_serves_nginx_configured_from_the_route_table_in_front_of_the_gateway() -> None:
    edge = DEPLOYMENTS[EDGE]
    (generate,) = pod_spec(edge)["initContainers"]
    nginx = main_container(edge)
    written = next(arg for arg in generate["command"] if arg.startswith("--out="))[len("--out=") :]
    prefix = next(arg for arg in generate["command"] if arg.startswith("--prefix="))[len("--prefix=") :]

    assert generate["image"] == IMAGE and generate["command"][:3] == ["crm-gateway", "edge", "nginx-conf"]
    assert "--gateway-url=http://gateway:8080" in generate["command"]
    assert {ref["configMapRef"]["name"] for ref in generate["envFrom"]} == {"crm-config"}  # service URLs
    assert nginx["command"] == ["nginx", "-p", prefix, "-c", written]
    shared = {m["name"] for m in generate["volumeMounts"]} & {m["name"] for m in nginx["volumeMounts"]}
    mounted = {m["mountPath"] for m in nginx["volumeMounts"] if m["name"] in shared}
    assert str(Path(written).parent) in mounted and prefix in mounted
    (port,) = nginx["ports"]
    assert port["containerPort"] == 8080 and nginx["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert edge["spec"]["replicas"] >= 2


def test_the_edge_sends_bearer_tokens_to_its_authorizer_sidecar() -> None:
    edge = DEPLOYMENTS[EDGE]
    (generate,) = pod_spec(edge)["initContainers"]
    sidecars = [c for c in containers(edge, init=False) if c["command"][:3] == AUTHORIZER_COMMAND]
    assert [c["name"] for c in containers(edge, init=False)] == [EDGE, "authorizer"] and len(sidecars) == 1
    (authorizer,) = sidecars
    listen = authorizer["command"][authorizer["command"].index("--listen") + 1]

    assert authorizer["image"] == IMAGE and listen == "127.0.0.1:8091"  # only nginx, in the pod, asks it
    assert f"--authorizer-url=http://{listen}" in generate["command"]
    assert {ref["configMapRef"]["name"] for ref in authorizer["envFrom"]} == {"crm-config"}  # JWT_JWKS_URL
    assert secret_ref(authorizer, "DATABASE_URL") == ("crm-database-urls", "gateway")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        assert probe_reaches(authorizer[probe], listen, path), f"authorizer {probe}"
    assert pre_stop_sleep(authorizer) >= pre_stop_sleep(main_container(edge)), "it outlives nginx's drain"


def probe_reaches(probe: dict[str, Any], listen: str, path: str) -> bool:
    """Whether the probe asks `path` where the process listens: the kubelet's httpGet goes to the pod IP,
    so a loopback listener needs an exec probe (run inside the container) that asks 127.0.0.1."""
    host, port = listen.rsplit(":", 1)
    if "httpGet" in probe:
        check = probe["httpGet"]
        return not host.startswith("127.") and str(check["port"]) == port and check["path"] == path
    return f"http://{listen}{path}" in " ".join(probe.get("exec", {}).get("command", []))


def pre_stop_sleep(container: dict[str, Any]) -> int:
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    return int(command[1]) if command[:1] == ["sleep"] else 0


def test_broker_setup_job_applies_the_topology_with_the_management_api() -> None:
    job = JOBS["broker-setup"]
    container = main_container(job)

    assert container["command"] == ["crm-events", "broker-setup"]
    assert {"RABBITMQ_API_URL", "RABBITMQ_VHOST"} <= CONFIG.keys() and CONFIG["RABBITMQ_VHOST"] == "crm"
    assert {ref["configMapRef"]["name"] for ref in container["envFrom"]} == {"crm-config"}
    for variable in ("RABBITMQ_USER", "RABBITMQ_PASSWORD"):
        assert secret_ref(container, variable) == ("crm-broker", variable)
    assert pod_spec(job)["restartPolicy"] in {"OnFailure", "Never"}
