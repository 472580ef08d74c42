"""Offices with coordinates: the shipped file is valid, bad entries are problems, nearest first."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.offices import Office, distance_km, load_offices, nearest_offices
from bot.settings import ROOT


def test_shipped_file_is_valid() -> None:
    offices, problems = load_offices(ROOT / "knowledge")
    assert problems == [] and isinstance(offices, tuple)


def test_problems_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "offices.yaml").write_text(
        "offices:\n"
        "  - name: الف\n    address: خیابان\n    latitude: 35.7\n    longitude: 51.4\n"
        "  - name: ب\n    latitude: 200\n    longitude: 51\n    phone: '021'\n",
        encoding="utf-8",
    )
    offices, problems = load_offices(tmp_path)
    assert [o.name for o in offices] == ["الف"]
    assert {p.line for p in problems} == {6}
    assert any("address" in p.message for p in problems) and any("phone" in p.message for p in problems)


def test_nearest_first() -> None:
    tehran = Office("تهران", "-", 35.6892, 51.3890)
    isfahan = Office("اصفهان", "-", 32.6546, 51.6680)
    tabriz = Office("تبریز", "-", 38.0962, 46.2738)
    found = nearest_offices((tabriz, isfahan, tehran), 35.70, 51.40, count=2)
    assert [o.name for o, _ in found] == ["تهران", "اصفهان"]
    assert found[0][1] < 3 and 330 < distance_km(35.6892, 51.3890, 32.6546, 51.6680) < 350
