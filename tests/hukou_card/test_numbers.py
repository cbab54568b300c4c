"""Card numbers, verification codes and 审批文号: formats and check digits."""

from hypothesis import given
from hypothesis import strategies as st

from hukou_card import numbers


def test_card_number_has_17_digits_district_year_and_a_valid_check_digit():
    number = numbers.new_card_number(district_code="440106", year=2026)
    assert len(number) == 17 and number.isdigit()
    assert number.startswith("44010626")
    assert numbers.is_valid_card_number(number)


def test_card_numbers_are_not_sequential():
    issued = [numbers.new_card_number(district_code="440106", year=2026) for _ in range(200)]
    assert len(set(issued)) == 200
    randoms = [int(n[8:16]) for n in issued]
    # A counter steps by a constant; random draws from 10^8 almost never repeat a step.
    steps = {b - a for a, b in zip(randoms, randoms[1:], strict=False)}
    assert len(steps) > 190


@given(
    st.integers(min_value=0, max_value=10**8 - 1), st.integers(min_value=0, max_value=15), st.integers(0, 9)
)
def test_any_single_digit_typo_is_caught(random_part, position, replacement):
    body = f"44011226{random_part:08d}"
    number = body + numbers.luhn_check_digit(body)
    assert numbers.is_valid_card_number(number)
    if number[position] != str(replacement):
        typo = number[:position] + str(replacement) + number[position + 1 :]
        assert not numbers.is_valid_card_number(typo)


def test_luhn_check_digit_matches_the_textbook_example():
    assert numbers.luhn_check_digit("7992739871") == "3"


def test_malformed_numbers_are_invalid():
    for value in (
        "",
        "4401",
        "4401122248302957A",
        "440112224830295731",
        "４４０１１２２２４８３０２９５７３",
    ):
        assert not numbers.is_valid_card_number(value)


def test_verification_code_uses_the_unambiguous_alphabet():
    codes = {numbers.new_verification_code() for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert len(code) == 6
        assert not set(code) & set("0O1IL")
        assert set(code) <= set(numbers.CODE_ALPHABET)


def test_codes_are_read_forgivingly():
    assert numbers.normalise_code(" k7mq 2x ") == "K7MQ2X"


def test_approval_number_format_uses_the_district_abbreviation():
    assert (
        numbers.format_approval_number(district_code="440112", district_name="黄埔区", year=2022, sequence=35)
        == "穗埔人社引〔2022〕35号"
    )
    assert (
        numbers.format_approval_number(district_code="440111", district_name="白云区", year=2026, sequence=1)
        == "穗云人社引〔2026〕1号"
    )
    # A district added later without an abbreviation falls back to its first character.
    assert numbers.format_approval_number(
        district_code="999999", district_name="新区", year=2026, sequence=2
    ).startswith("穗新")


def test_every_guangzhou_district_has_an_abbreviation():
    from reference.fixtures import DISTRICTS, fixture_records

    codes = [record["fields"]["code"] for record in fixture_records(DISTRICTS)]
    abbreviations = [numbers.DISTRICT_ABBREVIATIONS[code] for code in codes]
    assert len(set(abbreviations)) == len(codes) == 11
