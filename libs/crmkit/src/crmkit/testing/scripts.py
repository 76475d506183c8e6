"""Import a script that lives outside any package (e.g. deploy/scripts/run_local.py) as a module in tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(path: Path, module_name: str) -> ModuleType:
    """Execute the file at `path` as module `module_name` (registered in sys.modules) and return it."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while a class is made
    spec.loader.exec_module(module)
    return module
