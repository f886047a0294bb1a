"""What a person must do, as plain rows a page can show (already redacted)."""

from __future__ import annotations

from dataclasses import dataclass

from procure.deadlines import Due


@dataclass(frozen=True)
class WorkItem:
    """One thing to do, with a link straight to the form where it is done."""

    kind: str  # "declaration" | "scorecard" | "endorsement" | "action" | "workshop"
    kind_label: str
    experiment_title: str
    text: str
    endpoint: str
    params: dict[str, object]
    due: Due | None
    key: str  # stable per item: kind, experiment and record

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due.overdue


def ordered(items: list[WorkItem]) -> list[WorkItem]:
    """Overdue first, then by due date; work with no date last."""
    return sorted(
        items,
        key=lambda i: (
            0 if i.overdue else 1 if i.due else 2,
            i.due.day.toordinal() if i.due else 0,
            i.experiment_title,
            i.key,
        ),
    )
