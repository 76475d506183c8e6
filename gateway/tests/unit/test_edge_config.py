"""The nginx configuration the edge is generated with: one place (the route table) decides every path."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import cli
from gateway.edge.nginx import EdgeOptions, render
from gateway.routes import PUBLIC_RESOURCES, ROUTE_DECLARATIONS, RouteTable

URLS = {
    "customer": "http://127.0.0.1:8101",
    "sales": "http://127.0.0.1:8102",
    "service-desk": "http://127.0.0.1:8103",
    "projects": "http://127.0.0.1:8104",
}


def options(**changes) -> EdgeOptions:
    values = {
        "listen": "127.0.0.1:8080",
        "gateway_url": "http://127.0.0.1:8090",
        "service_urls": URLS,
        "prefix": "/tmp/edge",
    }
    return EdgeOptions(**(values | changes))


LOCATION = re.compile(r"location ~ \^/api/v1/(\S+?)\(/\|\$\) \{(.*?)\n\s*\}", re.S)


def locations(conf: str) -> list[tuple[set[str], str]]:
    """(resources, body) of every /api/v1/<resource> location, read back from the generated text."""
    found = []
    for match in LOCATION.finditer(conf):
        names = match.group(1).strip("()").replace("\\", "").split("|")
        found.append((set(names), match.group(2)))
    return found


def service_locations(conf: str) -> dict[str, set[str]]:
    """Resource -> the upstreams its location goes to."""
    found: dict[str, set[str]] = {}
    for resources, body in locations(conf):
        target = re.search(r"proxy_pass http://\$?(crm_[a-z_]+?)(?:_target)?;", body)
        assert target, body
        for resource in resources:
            found.setdefault(resource, set()).add(target.group(1))
    return found


def test_every_routed_resource_goes_to_its_service_and_only_there() -> None:
    conf = render(RouteTable(URLS), options())
    found = service_locations(conf)
    assert found.keys() == set(ROUTE_DECLARATIONS)
    for resource, service in ROUTE_DECLARATIONS.items():
        assert found[resource] == {"crm_" + service.replace("-", "_")}, resource


PUBLIC_LOCATION = re.compile(r"location ~ \^/api/v1/(\S+)\$ \{(.*?)\n\s*\}", re.S)


def test_only_the_public_endpoints_skip_the_authorize_request_and_they_are_matched_first() -> None:
    conf = render(RouteTable(URLS), options())
    exact = {match.group(1): match.group(2) for match in PUBLIC_LOCATION.finditer(conf)}
    public = {pattern: body for pattern, body in exact.items() if "http://crm_gateway" not in body}
    assert set(public) == {r"web\-leads", r"inbound\-mail", r"survey\-responses/[^/]+"}
    assert all("auth_request" not in body for body in public.values())
    assert "crm_service_desk" in public[r"inbound\-mail"] and "crm_sales" in public[r"web\-leads"]
    first_checked = conf.index("auth_request /_crm_authorize")
    assert all(conf.index(f"^/api/v1/{pattern}$") < first_checked for pattern in public)  # regexes: in order
    # Everything else below a public resource (e.g. /inbound-mail/mailboxes) is checked like any resource.
    checked = {name for resources, body in locations(conf) if "auth_request" in body for name in resources}
    assert checked == set(ROUTE_DECLARATIONS)
    assert checked >= PUBLIC_RESOURCES


def test_the_overview_and_the_gateways_own_paths_go_to_the_gateway() -> None:
    conf = render(RouteTable(URLS), options())
    overview = conf.index("overview")
    assert conf.index("location ~ ^/api/v1/(accounts|") > overview  # regex locations match in order
    assert "location / {\n            proxy_pass http://crm_gateway;" in conf


def test_authorize_answers_can_be_cached_per_token_method_and_path() -> None:
    assert "proxy_cache" not in render(RouteTable(URLS), options())
    cached = render(RouteTable(URLS), options(authorize_cache_seconds=5))
    assert "proxy_cache_valid 200 204 5s;" in cached
    assert 'proxy_cache_key "$http_authorization|$request_method|$uri";' in cached


def authorize_targets(conf: str) -> dict[str, str]:
    """The authorize sub-request's upstream per Authorization pattern, read back from the map."""
    block = re.search(r"map \$http_authorization \$crm_authorize_target \{(.*?)\}", conf, re.S)
    assert block, conf
    pairs = (line.strip().rsplit(" ", 1) for line in block.group(1).strip().splitlines())
    return {pattern.strip('"'): target.rstrip(";") for pattern, target in pairs}


def test_bearer_tokens_go_to_the_authorizer_and_api_keys_to_the_gateway() -> None:
    conf = render(RouteTable(URLS), options(authorizer_url="http://127.0.0.1:8091"))
    assert authorize_targets(conf) == {"~*^bearer ": "crm_authorizer", "default": "crm_gateway"}
    assert "upstream crm_authorizer {\n        server 127.0.0.1:8091;\n        keepalive 64;" in conf
    assert "proxy_pass http://$crm_authorize_target/api/v1/auth/authorize;" in conf


def test_without_an_authorizer_the_gateway_answers_every_authorize_request() -> None:
    conf = render(RouteTable(URLS), options())
    assert authorize_targets(conf) == {"~*^bearer ": "crm_gateway", "default": "crm_gateway"}
    assert "crm_authorizer" not in conf


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service_urls": {"customer": URLS["customer"]}}, "no URL for the services"),
        ({"authorizer_url": "http://authorizer"}, "http://host:port"),
        ({"gateway_url": "https://gateway.example:443"}, "http://host:port"),
        ({"service_urls": URLS | {"sales": "http://sales"}}, "http://host:port"),
    ],
)
def test_bad_options_are_refused(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        render(RouteTable(URLS), options(**changes))


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="needs nginx"
)
def test_nginx_accepts_the_generated_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["edge", "nginx-conf", "--prefix", str(tmp_path / "p"), "--out", str(tmp_path / "nginx.conf"),
              "--authorizer-url", "http://127.0.0.1:8091"],
        env={"CRM_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path / "p"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "upstream crm_authorizer" in (tmp_path / "nginx.conf").read_text()
