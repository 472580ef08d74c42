"""Where the shipped knowledge base and texts are: inside the installed package, or the checkout.

A wheel carries ``knowledge/`` and ``locales/`` as package data under ``bot/_shipped/``
(``setup.py``); in a checkout they are the top-level folders. Either way the shipped copy is
read only: the staff's working copy of the knowledge lives in the data folder
(:mod:`bot.knowledge.working_copy`).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["CHECKOUT", "shipped_dir"]

#: The checkout's root when running from one (the folder holding ``pyproject.toml``), else ``None``.
CHECKOUT: Path | None = (
    Path(__file__).resolve().parent.parent
    if (Path(__file__).resolve().parent.parent / "pyproject.toml").is_file()
    else None
)


def shipped_dir(name: str) -> Path:
    """The shipped ``knowledge`` or ``locales`` folder (a real folder: installed wheels are unpacked)."""
    packaged = Path(str(files("bot").joinpath("_shipped", name)))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name
