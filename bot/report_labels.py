"""The Persian names of the report's figures and of the e-government indicator each one serves.

These are the report's column headings and the summary sheet's wording: part of the document
format managers read, kept in one place so the workbook, the CSV and the chart agree.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL",
    "FIGURES",
    "INDICATORS",
    "KEY_COLUMNS",
    "OTHER",
    "PLATFORM_TITLES",
    "UNANSWERED",
    "Figure",
    "platform_title",
]

#: Pseudo-categories: questions with no answer, answers outside the knowledge base (or handoffs
#: with no question), and the subtotal rows of every category.
UNANSWERED = "unanswered"
OTHER = "other"
ALL = "all"

INFORMING = "اطلاع‌رسانی الکترونیکی خدمات"
SPEED = "سرعت ارائه خدمت"
SATISFACTION = "رضایت شهروندان"
INDICATORS = (INFORMING, SPEED, SATISFACTION)

PLATFORM_TITLES = {"telegram": "تلگرام", "bale": "بله", "console": "ترمینال", ALL: "همه"}


def platform_title(platform: str) -> str:
    return PLATFORM_TITLES.get(platform, platform)


@dataclass(frozen=True)
class Figure:
    """One figure: its JSON/CSV key, Persian heading, indicator, definition and cell format."""

    key: str
    title: str
    indicator: str
    definition: str
    number_format: str = "0"
    subtotal_only: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("questions", "پرسش‌ها", INFORMING, "پرسش‌های متنی شهروندان در بازه (به وقت ایران)"),
    Figure("answered", "پاسخ مستقیم", INFORMING, "پرسش‌هایی که ربات بی‌درنگ به آن‌ها پاسخ داد"),
    Figure(
        "did_you_mean",
        "پیشنهاد «منظورتان این بود؟»",
        INFORMING,
        "پرسش‌هایی که ربات برایشان چند موضوع پیشنهاد داد",
    ),
    Figure(
        "resolved",
        "پاسخ با انتخاب شهروند",
        INFORMING,
        "پرسش‌های «منظورتان این بود؟» که شهروند یکی از پیشنهادها را برگزید",
    ),
    Figure("unanswered", "بی‌پاسخ", INFORMING, "پرسش‌ها منهای پاسخ مستقیم و پاسخ با انتخاب شهروند"),
    Figure(
        "answer_rate",
        "نرخ پاسخ‌گویی",
        INFORMING,
        "(پاسخ مستقیم + پاسخ با انتخاب شهروند) ÷ پرسش‌ها",
        "0.0%",
    ),
    Figure(
        "subscribers",
        "مشترکان اطلاع‌رسانی (پایان دوره)",
        INFORMING,
        "شهروندان عضو اطلاع‌رسانی در پایان ماه یا پایان بازه، هر کدام زودتر",
        subtotal_only=True,
    ),
    Figure(
        "announcements",
        "اطلاعیه‌های فرستاده‌شده",
        INFORMING,
        "اطلاعیه‌هایی که کارکنان در بازه برای مشترکان فرستادند",
        subtotal_only=True,
    ),
    Figure(
        "announcement_deliveries",
        "پیام‌های اطلاعیهٔ رسیده",
        INFORMING,
        "شمار پیام‌های اطلاعیه که به دست مشترکان رسید",
        subtotal_only=True,
    ),
    Figure(
        "response_median_ms",
        "میانهٔ زمان پاسخ (میلی‌ثانیه)",
        SPEED,
        "میانهٔ زمان پاسخ ربات به پرسش‌ها",
        "0.0",
    ),
    Figure(
        "response_p95_ms",
        "صدک ۹۵ زمان پاسخ (میلی‌ثانیه)",
        SPEED,
        "زمانی که ۹۵٪ پاسخ‌ها در آن یا کمتر داده شد (روش نزدیک‌ترین رتبه)",
    ),
    Figure("handoffs", "ارجاع به کارشناس", SPEED, "درخواست‌های گفت‌وگو با کارشناس که در بازه باز شد"),
    Figure(
        "handoffs_answered",
        "ارجاع‌های پاسخ‌داده‌شده",
        SPEED,
        "ارجاع‌هایی که کارشناس دست‌کم یک بار به آن‌ها پاسخ داد",
    ),
    Figure(
        "handoff_answer_median_min",
        "میانهٔ زمان پاسخ کارشناس (دقیقه)",
        SPEED,
        "میانهٔ فاصلهٔ درخواست تا نخستین پاسخ کارشناس",
        "0.0",
    ),
    Figure("ratings", "امتیازها", SATISFACTION, "امتیازهایی (۱ تا ۵) که شهروندان به پاسخ‌ها دادند"),
    Figure("mean_rating", "میانگین امتیاز (از ۵)", SATISFACTION, "میانگین امتیازها", "0.00"),
    Figure(
        "csat",
        "رضایت (CSAT)",
        SATISFACTION,
        "سهم امتیازهای ۴ و ۵ (راضی و بسیار راضی) از همهٔ امتیازها",
        "0.0%",
    ),
)

#: The columns that name a row, before the figures: key, Persian heading.
KEY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("month", "ماه (کد)"),
    ("month_title", "ماه"),
    ("category", "موضوع (کد)"),
    ("category_title", "موضوع"),
    ("platform", "پیام‌رسان (کد)"),
    ("platform_title", "پیام‌رسان"),
)
