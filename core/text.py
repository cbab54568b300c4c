"""Small text helpers shared by screens and the card: masking, Chinese and English dates."""

import datetime

WEEKDAYS = "一二三四五六日"


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明 (public notice, verification page)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """11010519491231002X → 110105********002X."""
    number = (number or "").strip()
    if len(number) <= 8:
        return number[:1] + "*" * max(len(number) - 2, 0) + number[-1:] if number else ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def cn_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def cn_date_with_weekday(value: datetime.date) -> str:
    """2022年10月09日 星期日, as in the seed's header."""
    return f"{cn_date(value)} 星期{WEEKDAYS[value.weekday()]}"


ENGLISH_MONTHS = (
    "January February March April May June July August September October November December".split()
)
ENGLISH_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def en_date(value: datetime.date) -> str:
    """2 December 2026: spelled out, as GOV.UK writes dates, so no reader mistakes day for month."""
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def en_date_with_weekday(value: datetime.date) -> str:
    return f"{ENGLISH_WEEKDAYS[value.weekday()]}, {en_date(value)}"


def csv_cell(value) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: names and reasons are typed
    by people, so such a cell is opened with an apostrophe (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
