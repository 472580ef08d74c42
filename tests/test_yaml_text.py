"""The fast YAML reader gives PyYAML's own values and refuses what PyYAML refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.settings import ROOT
from bot.yaml_text import safe_load

SHIPPED = sorted([*(ROOT / "knowledge").glob("*.yaml"), *(ROOT / "locales").glob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_file_reads_as_pyyaml_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: b: c\n", "k: [1, 2\n", "\tx: 1\n", "a: \x00\n", "a: \ud800\n"])
def test_text_pyyaml_refuses_is_a_yaml_error(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        safe_load(text)
