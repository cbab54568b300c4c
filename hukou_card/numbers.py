"""Card number, verification code and 审批文号: formats and check characters.

- 入户卡卡号, 17 digits: the district's GB/T 2260 code (6), the issue year (2), 8 random digits,
  and a Luhn check digit, e.g. 44010626 48302957 3. The random part makes numbers impossible to
  walk in sequence; the check digit catches a mistyped number at the police desk before a lookup.
- 验证码, 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed on the card
  next to the number; together they unlock the public verification page.
- 审批文号: 穗{区简称}人社引〔{year}〕{n}号, numbered per district and year from 1
  (hukou_card.models.ApprovalNumberSequence). The 区简称 are the ones the district governments
  use in their own document numbers (穗天府, 穗云府, 穗埔府 …).
"""

import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CARD_NUMBER_LENGTH = 17

DISTRICT_ABBREVIATIONS = {
    "440103": "荔",
    "440104": "越",
    "440105": "海",
    "440106": "天",
    "440111": "云",
    "440112": "埔",
    "440113": "番",
    "440114": "花",
    "440115": "南",
    "440117": "从",
    "440118": "增",
}


def luhn_check_digit(digits: str) -> str:
    total = 0
    # Double every second digit, starting with the rightmost digit of the payload.
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_card_number(number: str) -> bool:
    number = (number or "").strip()
    return (
        len(number) == CARD_NUMBER_LENGTH
        and number.isascii()
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def new_card_number(*, district_code: str, year: int) -> str:
    body = f"{district_code}{year % 100:02d}{secrets.randbelow(10**8):08d}"
    return body + luhn_check_digit(body)


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """People read codes off paper: accept lower case and stray spaces."""
    return "".join((code or "").split()).upper()


def format_approval_number(*, district_code: str, district_name: str, year: int, sequence: int) -> str:
    abbreviation = DISTRICT_ABBREVIATIONS.get(district_code) or district_name[:1]
    return f"穗{abbreviation}人社引〔{year}〕{sequence}号"
