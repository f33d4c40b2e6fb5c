"""A sandbox restarted over the same client database gives out ids it never gave before."""

from __future__ import annotations

from pagetojob.sandbox.store import FIRST_IDS, Tenant


def test_an_id_offset_moves_every_new_record_id_and_leaves_the_seed_alone():
    plain = Tenant(4100100, "demo")
    moved = Tenant(4100100, "demo", id_offset=20_000)
    assert moved.next_ids["booking"] == FIRST_IDS["booking"] + 20_000
    assert {kind: len(rows) for kind, rows in moved.kinds.items()} == {kind: len(rows) for kind, rows in
                                                                        plain.kinds.items()}
    assert sorted(moved.kinds["business_unit"]) == sorted(plain.kinds["business_unit"])
