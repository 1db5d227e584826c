"""`ExactWalk`: the last page ends at the stop, so consecutive runs never re-land an id."""

from __future__ import annotations

from coinlake.sources.idwalk import ExactWalk, PageIds, WalkStop


def pages_of(walk: ExactWalk, newest: int, missing: frozenset[int] = frozenset()) -> list[range]:
    """Drive the walk over a tape of ids 1..newest; the ranges of ids each page held."""
    seen: list[range] = []
    while (request := walk.next_request()) is not None:
        top = (newest + 1 if request.after is None else request.after) - 1
        ids: list[int] = []
        candidate = top
        while len(ids) < request.limit and candidate >= 1:
            if candidate not in missing:
                ids.append(candidate)
            candidate -= 1
        seen.append(range(min(ids), max(ids) + 1) if ids else range(0))
        walk.advance(PageIds.of(ids))
    return seen


def test_the_stopping_page_is_cut_at_the_cursor() -> None:
    walk = ExactWalk(stop_at_id=5_000, start_after=7_501)
    pages = pages_of(walk, newest=7_500)
    assert pages == [range(6_501, 7_501), range(5_501, 6_501), range(5_001, 5_501)]
    assert walk.stopped is WalkStop.REACHED_KNOWN and walk.reached
    assert walk.checkpoint.new_cursor == 7_500


def test_without_a_stop_or_a_start_it_is_a_plain_walk() -> None:
    assert ExactWalk(stop_at_id=None).next_request().limit == 1_000  # type: ignore[union-attr]
    assert ExactWalk(stop_at_id=10).next_request().limit == 1_000  # type: ignore[union-attr]


def test_ids_the_exchange_skipped_make_the_walk_go_on_below() -> None:
    walk = ExactWalk(stop_at_id=100, start_after=1_201)
    pages = pages_of(walk, newest=1_200, missing=frozenset(range(150, 160)))
    covered = {i for page in pages for i in page}
    assert set(range(101, 1_201)) <= covered
    assert min(covered) > 90  # the walk stopped just below the cursor
    assert walk.reached


def test_a_walk_resumed_after_its_last_page_asks_for_nothing_and_is_reached() -> None:
    walk = ExactWalk(stop_at_id=5_000, start_after=5_001, top_id=7_500)
    assert walk.next_request() is None
    assert walk.reached and walk.pages == 0
    assert walk.checkpoint.new_cursor == 7_500
