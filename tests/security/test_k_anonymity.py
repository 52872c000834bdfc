"""Aggregates over non-consenting fields cannot single one out (issue 16, F8): a count under 3,
zero included, is shown as "fewer than 3", and per-commune counts under 3 are left out."""

from __future__ import annotations

from server.officer.density import K_ANONYMITY, k_anonymous, k_anonymous_counts


def test_small_counts_are_indistinguishable() -> None:
    assert K_ANONYMITY == 3
    assert {k_anonymous(n) for n in range(K_ANONYMITY)} == {None}  # 0, 1 and 2 look the same
    assert [k_anonymous(n) for n in (3, 4, 40)] == [3, 4, 40]


def test_per_area_counts_keep_only_groups_of_three() -> None:
    counts = {"xã Tam Hồng": 1, "xã Yên Phương": 3, "xã Đại Tự": 0, "xã Vĩnh Tường": 7}
    assert k_anonymous_counts(counts) == {"xã Yên Phương": 3, "xã Vĩnh Tường": 7}
