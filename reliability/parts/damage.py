"""Bronze damage: objects truncated or replaced by non-JSON, before and after the transform.

Before: one page truncated and one replaced by an HTML page, then `transform`. Expected (the
README's promise): the run goes on, both objects go to quarantine with their key and reason, and
every other trade reaches Silver. The damaged pages' trades are excused from "expected" (their
only copy is gone); anything else missing is lost.
After: a page already transformed is truncated; expected: `coinlake verify` exits 1 naming it,
and Silver keeps its rows. Anything else is a failure of the part.
"""

from __future__ import annotations

from pathlib import Path

from coinlake.domain.envelope import split_envelope
from coinlake.sources.coinbase.parse import parse_trades
from reliability.context import Context
from reliability.invariants import TRADES_DIR
from reliability.report import PartResult
from reliability.scenario import Scenario


def page_ids(path: Path) -> set[tuple[str, int]]:
    product = path.parent.parent.name.removeprefix("product=")
    body = split_envelope(path.read_bytes()).body
    return {(product, t.trade_id) for t in parse_trades(body, product)}


def run(ctx: Context) -> PartResult:
    result = PartResult("bronze damage", ctx.seed)
    rng = ctx.rng("damage")
    with Scenario(ctx.workdir / "lake", ctx.spec(), ctx.log) as sc:
        assert sc.lake is not None
        sc.run(*sc.ingest_args())
        pages = sorted((Path(sc.lake) / TRADES_DIR).glob("product=*/date=*/[0-9]*.json"))
        truncated, html = rng.sample(pages, 2)
        excused = page_ids(truncated) | page_ids(html)
        for page in pages:  # a trade in a damaged page may have a second copy elsewhere
            if page not in (truncated, html):
                excused -= page_ids(page)
        truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
        html.write_bytes(b"<html><body>502 Bad Gateway</body></html>")
        result.faults += 2
        before = sc.run("transform", "all")
        if before.returncode != 0:
            result.problems.append(
                "unreadable Bronze before the transform: expected quarantine and the rest of "
                f"the batch transformed, got exit {before.returncode}: {before.lines()[-1:]}"
            )
        quarantined = list((Path(sc.lake) / "quarantine").rglob("*.parquet"))
        if not quarantined:
            result.problems.append(
                "unreadable Bronze objects transformed without a quarantine record"
            )
        # Damage after the fact: a page whose rows are in Silver already.
        sc.sandbox.advance(30 * 60)
        sc.run(*sc.ingest_args())
        sc.run("transform", "all")
        fresh = sorted((Path(sc.lake) / TRADES_DIR).glob("product=*/date=*/[0-9]*.json"))
        victim = rng.choice([p for p in fresh if p not in (truncated, html)])
        victim.write_bytes(victim.read_bytes()[:-40])
        result.faults += 1
        verify = sc.run("verify", "--layer", "bronze")
        if verify.returncode != 1 or victim.name not in verify.stdout + verify.stderr:
            result.problems.append(
                f"Bronze damaged after its transform: expected `coinlake verify` to exit 1 naming "
                f"{victim.name}, got exit {verify.returncode}: {verify.lines()[-1:]}"
            )
        verdict = sc.verdict(compare=False, excused=excused)
        # The damaged pages fail the Bronze checks by design; keep the other findings.
        verdict.problems = [p for p in verdict.problems if not p.startswith("bronze:")]
        result.notes.append(f"{len(excused)} trades excused: their only Bronze copy was damaged")
        result.add(verdict, "lake")
        result.runs += sc.runs
    return result
