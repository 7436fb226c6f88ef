"""The log masking filter: phone numbers go, hex digests and ids the operator matches on stay."""

from __future__ import annotations

import pytest

from suggest.api.privacy import mask_personal_data


@pytest.mark.parametrize(
    "text",
    [
        "serving {'knowledge_digest': '3327642ae4250ccb', 'generation': 1}",
        "knowledge from commit 5945252e1f0c3a3b8d2f7c6e4a1b0c9d8e7f6a5b",
        "model revision 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ],
)
def test_hex_digests_are_not_masked(text: str):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        # Letters next to a number make a short hex run, not a digest.
        ("call 13812345678asap", "call 138****5678asap"),
        ("abc13812345678", "abc138****5678"),
        ("tel:0571-88886666", "tel:057*****6666"),
        # Sixteen digits with no letter are a card or order number, not a digest.
        ("卡号6222021234567890", "卡号622*********7890"),
    ],
)
def test_phone_numbers_next_to_letters_are_still_masked(text: str, masked: str):
    assert mask_personal_data(text) == masked
