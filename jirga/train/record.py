"""A person's training record, summarised: exercises done, score over time, the fields most often missed."""

from __future__ import annotations

from collections import Counter


def summary(rows: list[dict]) -> dict:
    """From the rows of `store.training.training_record` (oldest first)."""
    missed: Counter = Counter()
    asked: Counter = Counter()
    for row in rows:
        for field, (ok, total) in (row.get("fields") or {}).items():
            missed[field] += total - ok
            asked[field] += total
    found, required = sum(r["found"] for r in rows), sum(r["required"] for r in rows)
    fields_ok, fields_all = sum(r["fields_ok"] for r in rows), sum(r["fields_all"] for r in rows)
    return {"exercises": sorted({r["exercise"] for r in rows}), "submissions": len(rows),
            "recall": round(found / required, 4) if required else None,
            "fields": round(fields_ok / fields_all, 4) if fields_all else None,
            "most_missed": [{"field": f, "missed": n, "asked": asked[f]} for f, n in missed.most_common() if n],
            "over_time": [{"submitted": r["submitted"], "exercise": r["exercise"], "report": r["report"],
                           "fields": round(r["fields_ok"] / r["fields_all"], 4) if r["fields_all"] else None,
                           "recall": round(r["found"] / r["required"], 4) if r["required"] else None}
                          for r in rows]}


def spreadsheet_safe(row: dict) -> dict:
    """A CSV row a spreadsheet will not run: a text cell that starts like a formula is kept as text."""
    return {key: f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and value != "-"
            else value for key, value in row.items()}
