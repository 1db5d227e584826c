"""A small behaving fake of the Coinbase trades/products endpoints for MockTransport tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx


class FakeCoinbase:
    """Trades with ids first_id.. (one every `spacing_s`), paged like the real API."""

    def __init__(
        self,
        count: int,
        *,
        first_id: int = 1,
        start: datetime | None = None,
        spacing_s: float = 1.0,
        product: str = "BTC-USD",
    ) -> None:
        self.product = product
        self.start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.spacing_s = spacing_s
        self.first_id = first_id
        self.ids: list[int] = list(range(first_id, first_id + count))
        self.requests: list[httpx.Request] = []
        self.corrupt_next = 0  # truncate the body of this many next trade responses

    def time_of(self, trade_id: int) -> datetime:
        return self.start + timedelta(seconds=(trade_id - self.first_id) * self.spacing_s)

    def add(self, count: int) -> None:
        last = self.ids[-1] if self.ids else self.first_id - 1
        self.ids.extend(range(last + 1, last + 1 + count))

    def trade(self, trade_id: int) -> dict[str, object]:
        return {
            "time": self.time_of(trade_id).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "trade_id": trade_id,
            "price": f"{90000 + trade_id % 100}.{trade_id % 100:02d}",
            "size": "0.00100000",
            "side": "buy" if trade_id % 2 else "sell",
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/products":
            return httpx.Response(
                200,
                json=[
                    {
                        "id": "BTC-USD",
                        "base_currency": "BTC",
                        "quote_currency": "USD",
                        "status": "online",
                        "trading_disabled": False,
                    },
                    {
                        "id": "OLD-USD",
                        "base_currency": "OLD",
                        "quote_currency": "USD",
                        "status": "delisted",
                        "trading_disabled": True,
                    },
                ],
            )
        if path != f"/products/{self.product}/trades":
            return httpx.Response(404, json={"message": "NotFound"})
        params = request.url.params
        limit = int(params.get("limit", "1000"))
        after = params.get("after")
        below = [i for i in self.ids if after is None or i < int(after)]
        page = sorted(below, reverse=True)[:limit]
        body = json.dumps([self.trade(i) for i in page]).encode()
        headers = {"Content-Type": "application/json"}
        if page:
            headers |= {"CB-BEFORE": str(page[0]), "CB-AFTER": str(page[-1])}
        if self.corrupt_next:
            self.corrupt_next -= 1
            body = body[: len(body) // 2]
        return httpx.Response(200, content=body, headers=headers)

    def trade_requests(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path.endswith("/trades")]
