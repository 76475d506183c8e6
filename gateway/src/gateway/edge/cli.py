"""`crm-gateway edge nginx-conf`: write the edge's nginx.conf from the route table and the environment."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from crmkit import SettingsError
from crmkit.logging import configure_logging
from gateway.edge import authorizer as authorizer_server
from gateway.edge.nginx import EdgeOptions, render
from gateway.routes import RouteTable
from gateway.settings import GatewaySettings


@click.group(help="The nginx edge that carries the data path (see docs/adr/0005-edge-data-path.md).")
def edge() -> None:
    pass


@edge.command("nginx-conf")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, help="Where the edge listens.")
@click.option("--gateway-url", default="http://127.0.0.1:8090", show_default=True, help="The Python gateway.")
@click.option(
    "--authorizer-url",
    default=None,
    help="The authorizer sidecar (`crm-gateway edge authorizer`) for bearer tokens (default: the gateway).",
)
@click.option(
    "--prefix",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="nginx's working folder.",
)
@click.option(
    "--authorize-cache",
    "cache_seconds",
    default=0,
    show_default=True,
    help="Seconds to reuse an authorize answer per token, method and path (0: never).",
)
@click.option("--workers", default="auto", show_default=True, help="nginx worker processes.")
@click.option(
    "--user",
    "user",
    default=None,
    help="Workers' user when nginx starts as root (default: root if run as root).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (default: print).",
)
def nginx_conf(
    listen: str,
    gateway_url: str,
    authorizer_url: str | None,
    prefix: Path,
    cache_seconds: int,
    workers: str,
    user: str | None,
    out: Path | None,
) -> None:
    """Generate nginx.conf: service URLs and timeouts come from the gateway's settings (CRM_SERVICE_URL_*...)."""
    try:
        settings = GatewaySettings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    if cache_seconds < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--authorize-cache")
    prefix = prefix.resolve()
    options = EdgeOptions(
        listen=listen,
        gateway_url=gateway_url,
        authorizer_url=authorizer_url,
        service_urls=settings.service_urls,
        prefix=str(prefix),
        connect_timeout=settings.upstream_connect_timeout,
        read_timeout=settings.upstream_read_timeout,
        authorize_cache_seconds=cache_seconds,
        worker_processes=workers,
        run_as_root_user=user or ("root" if os.geteuid() == 0 else None),
    )
    try:
        text = render(RouteTable(settings.service_urls), options)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for folder in ("client-body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)
        click.echo(f"wrote {out}", err=True)


@edge.command("authorizer")
@click.option("--listen", default="127.0.0.1:8091", show_default=True, help="host:port to serve nginx on.")
def authorizer(listen: str) -> None:
    """Answer the edge's authorize sub-requests for bearer tokens (the gateway's settings and database)."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("expected host:port", param_hint="--listen")
    try:
        settings = GatewaySettings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging("gateway-authorizer", settings.log_level)
    server, database = authorizer_server.build_server(settings)

    def started() -> None:
        click.echo(f"authorizer listening on {listen}", err=True)

    try:
        asyncio.run(authorizer_server.serve(server, host.strip("[]"), int(port), started))
    finally:
        database.dispose()
