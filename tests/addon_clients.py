"""An addon's ``clients/`` package imported on its own: it must work without Odoo."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_clients(addon):
    """``<addon>/clients`` as the top-level package ``<addon>_clients``, imported once."""
    name = f"{addon}_clients"
    if name not in sys.modules:
        folder = ROOT / addon / "clients"
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
