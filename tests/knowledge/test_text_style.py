"""The Persian texts follow locales/STYLE.md as far as a machine can tell.

Checked: every Persian string of ``locales/fa.yaml`` and the ``title`` and ``answer`` of every entry
in ``knowledge/*.yaml`` (``questions`` are exempt: citizens write as they write). The files are read
with PyYAML directly, so these tests do not depend on the bot's own code.

Digits: a Persian text writes Persian digits (۰-۹). A Latin digit run is allowed only inside
a URL, a ``{placeholder}``, an HTML tag, a `backtick` span, a cell reference (``birth!5:answer``,
``smartcard!B12``) or a Latin word that starts with a letter (``e5``, ``p95``, ``rahvar120.ir``);
a number standing on its own (``1540``, ``3x4``, ``2025-07-23``) must be written in Persian digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml


def _root() -> Path:
    """The project folder (the nearest parent with locales/fa.yaml), wherever this file is moved."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "locales" / "fa.yaml").is_file():
            return folder
    raise FileNotFoundError("locales/fa.yaml not found above " + str(Path(__file__)))


ROOT = _root()
FA = ROOT / "locales" / "fa.yaml"
KNOWLEDGE = ROOT / "knowledge"
#: The rating buttons, in the order the keyboard shows them (handlers/keyboards.py: SCORES).
SCORES = (5, 4, 3, 2, 1)

_PERSIAN_LETTER = re.compile(r"[\u0621-\u063A\u0641-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")
_PERSIAN_DIGIT = re.compile(r"[۰-۹]")
_LATIN_DIGIT = re.compile(r"[0-9]+")

# Spans where Latin digits are fine, removed before the digit checks (order matters: URLs first).
_EXEMPT = [
    re.compile(r"https?://\S+"),  # URLs
    re.compile(r"\{[^{}]*\}"),  # placeholders filled by code
    re.compile(r"<[^<>]+>"),  # HTML tags
    re.compile(r"`[^`]*`"),  # code in backticks
    re.compile(r"[A-Za-z_][\w-]*![A-Za-z]*[0-9]+(?::\w+)?"),  # cell references: birth!5:answer
    re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*"),  # Latin words and names: e5, p95, rahvar120.ir
]

# (pattern, what to write instead)
_FORBIDDEN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[يك]"), "Persian ی and ک, not Arabic ي and ك"),
    (re.compile(r"[٠-٩]"), "Persian digits ۰-۹, not Arabic-Indic ٠-٩"),
    (re.compile(r"گفتگو"), "«گفت‌وگو», not «گفتگو»"),
    (re.compile(r"متأسفیم|متاسفیم"), "the bot's one voice: «متأسفم», not «متأسفیم»"),
    (re.compile(r"متاسف"), "«متأسف» with «أ»"),
    (re.compile(r"رد شدن"), "a natural button label (e.g. «نظری ندارم»), not «رد شدن»"),
    (re.compile(r"خبرنامه"), "the feature's one name «اطلاعیه‌ها», not «خبرنامه»"),
    (
        re.compile(r"(?:عضو|عضویت|مشترک|اشتراک)\S*\s+(?:در\s+)?اطلاع‌رسانی"),
        "the feature's one name «اطلاعیه‌ها», not «اطلاع‌رسانی»",
    ),
    (re.compile("[\u06c0\u0654]"), "no ezafe sign: «شماره پرونده», not «شمارهٔ»/«شماره‌ی»"),
    (re.compile("\u0647\u200c\u06cc(?![\u0600-\u06ff])"), "no ezafe sign: «شماره پرونده», not «شماره‌ی»"),
    (re.compile(r"خیلی\s+(?:نا)?راضی"), "the rating scale's words: «بسیار راضی»/«بسیار ناراضی»"),
    (re.compile(r"لینک"), "«پیوند», not «لینک»"),
    (re.compile(r"درگاه رسمی"), "«سایت رسمی سازمان ثبت احوال کشور», not «درگاه رسمی»"),
    (re.compile(r"(?:^|\n)\s*باشد\s*[.،!]"), "no curt «باشد»: «متوجه شدم.» or a full sentence"),
    (re.compile(r"(?<!\S)ن?می(?=\s)"), "«می‌» joined with a half-space: «می‌کنید»"),
    (
        re.compile(r"(?<!\S)ها(?:ی|یی)?(?=[\s.،؛:!؟»)]|$)"),
        "«‌ها» joined with a half-space: «پاسخ‌ها»",
    ),
    (re.compile("\u200c(?=[\\s\u200c]|$)|(?<=\\s)\u200c"), "a half-space (ZWNJ) only between two letters"),
    (re.compile(r"[\u0600-\u06ff]\s*[?]"), "the Persian question mark «؟»"),
    (re.compile(r"[\u0600-\u06ff]\s*,"), "the Persian comma «،»"),
    (re.compile(r"[\u0600-\u06ff]\s*;"), "the Persian semicolon «؛»"),
    (re.compile(r"[\u0600-\u06ff] +[.،؛؟!:](?=\s|$)"), "no space before punctuation"),
    (re.compile(r"[۰-۹]%"), "the Persian percent sign «٪» after Persian digits"),
]


def is_persian(text: str) -> bool:
    return bool(_PERSIAN_LETTER.search(text))


def without_exempt(text: str) -> str:
    for pattern in _EXEMPT:
        text = pattern.sub(" ", text)
    return text


def problems(text: str) -> list[str]:
    """What STYLE.md's machine-checkable rules find wrong in one Persian text."""
    found: list[str] = []
    prose = without_exempt(text)
    latin = _LATIN_DIGIT.findall(prose)
    if latin and _PERSIAN_DIGIT.search(prose):
        found.append(f"mixes Persian and Latin digits ({', '.join(latin)}): write Persian digits")
    elif latin:
        found.append(f"Latin digits in Persian text ({', '.join(latin)}): write Persian digits")
    quoted = re.sub(r"https?://\S+|<[^<>]+>|`[^`]*`", " ", text)
    if '"' in quoted:
        found.append('straight quotes ": write «» in Persian text')
    for pattern, instead in _FORBIDDEN:
        match = pattern.search(quoted)
        if match:
            found.append(f"«{_around(quoted, match)}»: write {instead}")
    return found


def _around(text: str, match: re.Match[str]) -> str:
    """The words a match stands in, for the failure message."""
    start = max(text.rfind(" ", 0, max(match.start() - 1, 0)), text.rfind("\n", 0, match.start()), -1) + 1
    ends = [i for i in (text.find(" ", match.end() + 1), text.find("\n", match.end())) if i != -1]
    return text[start : min(ends, default=len(text))].strip()


def flatten(data: object, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, text) for every string leaf."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}{key}.")
    elif isinstance(data, str):
        yield prefix.rstrip("."), data


def read_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fa_strings() -> dict[str, str]:
    return dict(flatten(read_yaml(FA)))


def report(failures: list[str]) -> str:
    return f"{len(failures)} text(s) break locales/STYLE.md:\n" + "\n".join(failures)


# --- the rules themselves --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        ("پاسخ را در سایت رسمی ببینید: https://www.sabteahval.ir/page?id=12", True),
        ("{count} موضوع در {days} روز", True),
        ("ایراد در خانه birth!5:answer و smartcard!B12", True),
        ("صدک p95 و دامنه rahvar120.ir و کد `e5`", True),
        ("کارت ملی از ۱۵ سالگی صادر می‌شود.", True),
        ("کارت ملی از 15 سالگی صادر می‌شود.", False),
        ("یکی از شماره‌های ۱ تا 3 را بنویسید.", False),
        ("عکس 3x4 لازم است.", False),
        ("تاریخ 2025-07-23 است.", False),
        ("شمارهٔ گزینه", False),
        ("كارت ملي", False),
        ("برای گفتگو با کارشناس", False),
        ("چه چیزی کم بود?", False),
        ('دکمه "ارتباط با کارشناس" را بزنید', False),
        ("پاسخ ها را می بینید", False),
        ("باشد، سپاس.", False),
        ("عضو خبرنامه شدید", False),
    ],
)
def test_the_rules(text: str, fine: bool) -> None:
    assert (problems(text) == []) is fine, problems(text)


# --- locales/fa.yaml -------------------------------------------------------------------------


def test_every_persian_locale_text_follows_the_style() -> None:
    strings = fa_strings()
    assert len(strings) > 100, "locales/fa.yaml looks empty"
    failures = [
        f"locales/fa.yaml: {key}: {problem}"
        for key, text in strings.items()
        if is_persian(text)
        for problem in problems(text)
    ]
    assert not failures, report(failures)


def test_no_locale_text_mixes_digit_alphabets() -> None:
    """Also the strings without Persian letters (labels, formats) keep to one set of digits."""
    failures = [
        f"locales/fa.yaml: {key}: mixes Persian and Latin digits"
        for key, text in fa_strings().items()
        if _PERSIAN_DIGIT.search(without_exempt(text)) and _LATIN_DIGIT.search(without_exempt(text))
    ]
    assert not failures, report(failures)


def test_the_rating_prompt_names_the_buttons_scale() -> None:
    """The question asks about satisfaction, and names the scale's ends with their buttons' faces
    and words; a face the prompt shows is followed by its own word."""
    strings = fa_strings()
    prompt = strings["rating.prompt"]
    label = {score: strings[f"rating.label_{score}"] for score in SCORES}
    name = {score: strings[f"rating.name_{score}"] for score in SCORES}
    assert len(set(label.values())) == len(SCORES), "rating.label_*: the five faces must differ"
    assert len(set(name.values())) == len(SCORES), "rating.name_*: the five words must differ"
    question = prompt.split("؟")[0]
    assert "راضی" in question, "rating.prompt: ask how satisfied the citizen is, as the buttons say"
    for score in SCORES:
        button = f"{label[score]} {name[score]}"
        if score in (SCORES[0], SCORES[-1]) or label[score] in prompt:
            assert button in prompt, f"rating.prompt: name the button as «{button}»"
    assert name[5] == "بسیار راضی" and name[1] == "بسیار ناراضی", "rating.name_5/1: the scale's ends"


def test_the_skip_button_is_named_in_its_prompt() -> None:
    strings = fa_strings()
    assert f"«{strings['rating.skip']}»" in strings["rating.comment_prompt"], "rating.comment_prompt"


# --- knowledge/*.yaml ------------------------------------------------------------------------


def knowledge_texts() -> Iterator[tuple[str, str, str, str]]:
    """(file, entry id, field, text) for the title and answer of every entry."""
    for path in sorted(KNOWLEDGE.glob("*.yaml")):
        data = read_yaml(path)
        entries = data.get("entries") if isinstance(data, dict) else None
        for number, entry in enumerate(entries or [], start=1):
            if not isinstance(entry, dict):
                continue
            for field in ("title", "answer"):
                text = entry.get(field)
                if isinstance(text, str):
                    yield path.name, str(entry.get("id") or f"#{number}"), field, text


def test_every_knowledge_title_and_answer_follows_the_style() -> None:
    texts = list(knowledge_texts())
    assert texts, "no entries found in knowledge/*.yaml"
    failures = [
        f"knowledge/{file}: {entry_id}: {field}: {problem}"
        for file, entry_id, field, text in texts
        for problem in problems(text)
    ]
    assert not failures, report(failures)
