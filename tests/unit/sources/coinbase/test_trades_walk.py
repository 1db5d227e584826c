from __future__ import annotations

import pytest

from coinlake.errors import BadResponseError
from coinlake.sources.idwalk import PageIds, TradesRequest, TradesWalk, WalkStop


def page(newest: int, oldest: int, cb_after: str | None = None) -> PageIds:
    return PageIds.of(list(range(newest, oldest - 1, -1)), cb_after)


def test_a_walk_starts_at_the_newest_page_and_follows_the_oldest_id_down() -> None:
    walk = TradesWalk(stop_at_id=100, limit=50)
    assert walk.next_request() == TradesRequest(after=None, limit=50)
    walk.advance(page(300, 251))
    assert walk.next_request() == TradesRequest(after=251, limit=50)
    walk.advance(page(250, 201))
    assert walk.next_request() == TradesRequest(after=201, limit=50)
    walk.advance(page(200, 151))
    assert walk.next_request() == TradesRequest(after=151, limit=50)
    assert not walk.done
    walk.advance(page(140, 91))  # holds the known id 100
    assert walk.stopped is WalkStop.REACHED_KNOWN
    assert walk.reached
    assert walk.next_request() is None
    assert (walk.pages, walk.trades) == (4, 200)
    assert walk.checkpoint.new_cursor == 300


def test_the_walk_stops_at_the_page_whose_oldest_id_follows_the_known_one() -> None:
    walk = TradesWalk(stop_at_id=200, limit=50)
    walk.advance(page(300, 251))
    walk.advance(page(250, 201))  # 201 = known + 1: every newer id has been seen
    assert walk.stopped is WalkStop.REACHED_KNOWN


def test_no_new_trades_means_one_page_and_done() -> None:
    walk = TradesWalk(stop_at_id=300)
    walk.advance(page(300, 1))
    assert walk.stopped is WalkStop.REACHED_KNOWN
    assert walk.checkpoint.new_cursor == 300


def test_an_empty_page_ends_the_walk_as_exhausted() -> None:
    walk = TradesWalk(stop_at_id=None)
    walk.advance(PageIds.of([]))
    assert walk.stopped is WalkStop.EXHAUSTED
    assert walk.reached  # nothing to fetch: a product without trades
    assert walk.checkpoint.new_cursor is None

    walk = TradesWalk(stop_at_id=5, limit=2)
    walk.advance(page(20, 19))
    walk.advance(PageIds.of([]))
    assert walk.stopped is WalkStop.EXHAUSTED
    assert not walk.reached  # history ended above the id we thought we had


def test_reaching_trade_one_ends_a_walk_without_a_stop_id() -> None:
    walk = TradesWalk(stop_at_id=None, limit=3)
    walk.advance(page(5, 3))
    walk.advance(page(2, 1))
    assert walk.stopped is WalkStop.EXHAUSTED
    assert walk.reached


def test_a_cursor_newer_than_the_api_is_reported_not_reached() -> None:
    walk = TradesWalk(stop_at_id=500)
    walk.advance(page(300, 1))
    assert walk.stopped is WalkStop.CURSOR_AHEAD
    assert not walk.reached
    assert walk.checkpoint.new_cursor == 500


def test_max_pages_stops_and_the_checkpoint_resumes_the_same_walk() -> None:
    walk = TradesWalk(stop_at_id=100, limit=50, max_pages=2)
    walk.advance(page(300, 251))
    walk.advance(page(250, 201))
    assert walk.stopped is WalkStop.MAX_PAGES
    assert not walk.reached
    saved = walk.checkpoint
    resumed = TradesWalk(
        stop_at_id=saved.stop_at_id, start_after=saved.next_after, top_id=saved.top_id, limit=50
    )
    assert resumed.next_request() == TradesRequest(after=201, limit=50)
    resumed.advance(page(200, 151))
    resumed.advance(page(150, 101))
    assert resumed.reached
    assert resumed.checkpoint.new_cursor == 300


def test_a_page_that_ignores_the_cursor_is_an_error_not_a_loop() -> None:
    walk = TradesWalk(stop_at_id=1)
    walk.advance(page(300, 201))
    with pytest.raises(BadResponseError, match="ignored the `after` cursor"):
        walk.advance(page(300, 201))


def test_cb_after_mismatch_is_counted_and_the_body_wins() -> None:
    walk = TradesWalk(stop_at_id=1)
    walk.advance(page(300, 201, cb_after="150"))
    assert walk.header_mismatches == 1
    assert walk.next_request() == TradesRequest(after=201, limit=1000)
    walk.advance(page(200, 101, cb_after="101"))
    assert walk.header_mismatches == 1


def test_page_ids_summarise_unsorted_ids_and_ignore_junk_headers() -> None:
    assert PageIds.of([5, 9, 7], "x") == PageIds(3, 9, 5, None)
    assert PageIds.of([], "12") == PageIds(0, None, None, 12)


def test_invalid_walks_are_rejected() -> None:
    with pytest.raises(ValueError, match="limit"):
        TradesWalk(stop_at_id=1, limit=1001)
    with pytest.raises(ValueError, match="max_pages"):
        TradesWalk(stop_at_id=1, max_pages=0)
    walk = TradesWalk(stop_at_id=10)
    walk.advance(page(10, 1))
    with pytest.raises(RuntimeError, match="done"):
        walk.advance(page(10, 1))
