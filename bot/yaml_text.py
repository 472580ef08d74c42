"""Reading YAML text: libyaml's safe parser where PyYAML was built with it, PyYAML's own otherwise.

Both give the same values, nodes and line numbers; libyaml is about six times faster, which
counts for the knowledge folder (read whole on every check, edit and import) and the locales.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["SAFE_LOADER", "safe_load"]

#: The safe loader to parse with: ``yaml.CSafeLoader`` when PyYAML has libyaml.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with :data:`SAFE_LOADER`; raises ``yaml.YAMLError`` on text it refuses."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except UnicodeEncodeError:  # a lone surrogate: libyaml cannot take it, PyYAML refuses it as YAML
        return yaml.safe_load(text)
