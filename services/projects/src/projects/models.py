"""Import every feature's models, so Base.metadata holds all tables (Alembic, tests)."""

from __future__ import annotations

import importlib
import pkgutil

import projects


# Feature packages whose `models` module defines tables (P2's features are found the same way).
def import_all() -> None:
    """Import `projects.<feature>.models` for every feature package that has one."""
    for module in pkgutil.iter_modules(projects.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"projects.{module.name}.models")
            except ModuleNotFoundError as error:
                if error.name != f"projects.{module.name}.models":
                    raise
