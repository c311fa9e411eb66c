"""Property tests: mobile and e-mail normalisation (hypothesis), and masking."""
from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from db.contacts import mask_email, mask_mobile, normalise_email, normalise_mobile

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
mobiles = st.builds(lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"),
                    st.text(alphabet=string.digits, min_size=9, max_size=9))
separators = st.sampled_from(["", " ", "-", ".", "\u3000"])


@st.composite
def dressed_mobile(draw: st.DrawFn) -> tuple[str, str]:
    """A valid mobile, and the way a person or Excel might have written it."""
    number = draw(mobiles)
    sep = draw(separators)
    text = f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH.get(ch, ch) for ch in text)
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "86", "'"]))
    suffix = draw(st.sampled_from(["", ".0"])) if not sep and prefix in ("", "'") else ""
    return number, f"{draw(st.sampled_from(['', ' ']))}{prefix}{text}{suffix}"


@given(dressed_mobile())
def test_every_spelling_of_a_mobile_normalises_to_its_11_digits(case: tuple[str, str]) -> None:
    number, written = case
    assert normalise_mobile(written).value == number


@given(st.text(max_size=30))
def test_normalising_is_idempotent_and_output_is_always_valid(text: str) -> None:
    result = normalise_mobile(text)
    if result.value is not None:
        assert normalise_mobile(result.value).value == result.value
        assert result.value.startswith("+") or (len(result.value) == 11 and result.value.isdigit())
    else:
        assert result.problem is None or result.problem.startswith("手机号")


@given(mobiles, st.integers(min_value=1, max_value=9))
def test_truncated_or_scientific_numbers_are_refused(number: str, cut: int) -> None:
    assert normalise_mobile(number[:-cut]).value is None
    assert normalise_mobile(f"{number[0]}.{number[1:3]}E+10").value is None
    assert normalise_mobile(f"{number[:3]}****{number[-4:]}").value is None


@given(mobiles)
def test_mobile_masking_keeps_prefix_and_last_four(number: str) -> None:
    masked = mask_mobile(number)
    assert masked == f"{number[:3]}****{number[-4:]}"


local_parts = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=20).filter(
    lambda s: s[0].isalnum())
domains = st.builds(lambda a, tld: f"{a}.{tld}", st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1,
                                                         max_size=12), st.sampled_from(["com", "cn", "edu.cn", "org"]))


@given(local_parts, domains, st.sampled_from(["", " ", "\t"]))
def test_email_is_trimmed_and_lower_cased(local: str, domain: str, pad: str) -> None:
    written = f"{pad}{local}@{domain.upper() if len(domain) % 2 else domain}{pad}"
    result = normalise_email(written)
    assert result.value == f"{local}@{domain}".lower()
    assert normalise_email(result.value).value == result.value


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_anything_accepted_as_email_has_one_at_and_a_dotted_domain(text: str) -> None:
    value = normalise_email(text).value
    if value is not None:
        local, domain = value.split("@")
        assert local and "." in domain and value == value.lower() and " " not in value


@given(local_parts, domains)
def test_email_masking(local: str, domain: str) -> None:
    assert mask_email(f"{local}@{domain}") == f"{local[0]}***@{domain}"
