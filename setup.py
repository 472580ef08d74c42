"""Packaging beyond what pyproject.toml can say: the shipped knowledge base and texts.

``knowledge/`` and ``locales/`` stay where staff and translators find them in the checkout, and
go into the wheel as ``bot/_shipped/knowledge`` and ``bot/_shipped/locales`` (read with
``importlib.resources`` by ``bot/shipped.py``), so a ``pip install`` runs with no checkout.
"""

from setuptools import find_packages, setup

SHIPPED = {"bot._shipped.knowledge": "knowledge", "bot._shipped.locales": "locales"}

setup(
    packages=[*find_packages(include=["bot*", "handlers*"]), *SHIPPED],
    package_dir=SHIPPED,
    package_data={name: ["*.yaml", "*.md"] for name in SHIPPED},
)
