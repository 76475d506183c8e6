"""The crmkit pytest plugin (registered through the `pytest11` entry point): fixture modules only."""

from crmkit.testing.auth import token_factory
from crmkit.testing.events import validate_events
from crmkit.testing.infra import postgres_url, rabbit_policies, rabbit_vhost

__all__ = ["postgres_url", "rabbit_policies", "rabbit_vhost", "token_factory", "validate_events"]
