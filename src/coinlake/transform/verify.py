"""`coinlake verify`: every Bronze object and Parquet file checked against what was recorded.

- Bronze: each envelope must still be one readable envelope, and its body must have the size and
  SHA-256 recorded in `meta.body_size`/`meta.body_sha256` when it landed (envelopes landed
  before those fields existed are checked for readability only, and counted as such).
- Silver and Gold (quarantine included): each file recorded in the table's bookmark
  (`files`: size and SHA-256, recorded when the commit that wrote it was prepared) must exist
  with that size and hash. Files the bookmark does not record (written before checksums were
  kept, or left by hand) are counted, not judged.

Pure reads through the `ObjectStore` port, so the same code checks a local folder and an S3 lake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from coinlake.domain.envelope import body_damage, split_envelope
from coinlake.errors import BadResponseError
from coinlake.storage.base import ObjectStore, digest, list_files, read_bytes
from coinlake.tables.spec import GoldDef, SilverDef
from coinlake.transform.state import read_bookmark
from coinlake.transform.unreadable import why_unreadable

VerifyLayer = Literal["bronze", "silver", "gold", "all"]


@dataclass(frozen=True, slots=True)
class Damage:
    """One object or file that is not what was recorded."""

    key: str
    reason: str
    partition: str | None = None
    """For a Silver/Gold/quarantine file: its partition folder (`transform --partition`)."""


@dataclass(slots=True)
class VerifyReport:
    """What `verify_lake` checked and found."""

    checked: dict[str, int] = field(default_factory=dict)
    """Objects or files checked against a recorded size and hash, per layer."""
    unrecorded: dict[str, int] = field(default_factory=dict)
    """Objects or files with nothing recorded to check them against, per layer."""
    damaged: list[Damage] = field(default_factory=list)


def verify_bronze(store: ObjectStore, report: VerifyReport) -> None:
    """Check every Bronze envelope (see the module docstring)."""
    for key in list_files(store, "bronze", ".json"):
        data = read_bytes(store, key)
        reason = why_unreadable(data)
        recorded = False
        if reason is None and data is not None:
            try:
                envelope = split_envelope(data)
            except BadResponseError as exc:
                reason = str(exc)
            else:
                recorded = "body_sha256" in envelope.meta
                reason = body_damage(envelope)
        if reason is not None:
            report.damaged.append(Damage(key, reason))
        counts = report.checked if recorded or reason is not None else report.unrecorded
        counts["bronze"] = counts.get("bronze", 0) + 1


def _partition_of(folder: str, key: str) -> str:
    """The Hive partition path of a file key under a table folder."""
    return "/".join(part for part in key[len(folder) + 1 :].split("/")[:-1] if "=" in part)


def verify_tables(
    store: ObjectStore, tables: Iterable[SilverDef | GoldDef], layer: str, report: VerifyReport
) -> None:
    """Check every Parquet file of `tables` against the checksums in their bookmarks."""
    for table in tables:
        files = read_bookmark(store, table.name).files
        folders = [table.path]
        if isinstance(table, SilverDef):
            folders.append(table.quarantine_path)
        present = {key for folder in folders for key in list_files(store, folder, ".parquet")}
        for key, (size, sha256) in sorted(files.items()):
            folder = next((f for f in folders if key.startswith(f"{f}/")), table.path)
            where = f"{folder}/{_partition_of(folder, key)}"
            if key not in present:
                report.damaged.append(Damage(key, "missing", where))
            else:
                found_size, found_digest = digest(store, key)
                if found_size != size:
                    report.damaged.append(
                        Damage(key, f"{found_size} bytes, {size} were written", where)
                    )
                elif found_digest != sha256:
                    report.damaged.append(
                        Damage(key, "SHA-256 differs from the one written", where)
                    )
            report.checked[layer] = report.checked.get(layer, 0) + 1
        extra = len(present - files.keys())
        report.unrecorded[layer] = report.unrecorded.get(layer, 0) + extra


def verify_lake(
    store: ObjectStore,
    layer: VerifyLayer,
    silver: Iterable[SilverDef],
    gold: Iterable[GoldDef],
) -> VerifyReport:
    """Check the chosen layers of the lake; the report lists what is damaged."""
    report = VerifyReport()
    if layer in ("bronze", "all"):
        verify_bronze(store, report)
    if layer in ("silver", "all"):
        verify_tables(store, silver, "silver", report)
    if layer in ("gold", "all"):
        verify_tables(store, gold, "gold", report)
    return report
