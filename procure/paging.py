"""Pages of a list already in memory, and the numbers GOV.UK's pagination component shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


def page_number(args: Mapping[str, Any]) -> int:
    """``?page=N`` as a positive integer; anything else is page 1."""
    raw = str(args.get("page") or "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: Sequence[T]
    page: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based position of the first item shown (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def numbers(self) -> list[int | None]:
        """Page numbers to link, ``None`` for an ellipsis: first, last, and two either side."""
        keep = {1, self.pages} | set(range(self.page - 2, self.page + 3))
        out: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out


def with_items(paged: Paged[Any], items: Sequence[U]) -> Paged[U]:
    """The same page holding other items: the page's rows as read models, for a template."""
    return Paged(tuple(items), paged.page, paged.pages, paged.total, paged.per_page)


def paginate(items: Sequence[T], page: int, per_page: int) -> Paged[T]:
    """One page of ``items``; a page past the end shows the last page."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Paged(items[start : start + per_page], page, pages, len(items), per_page)
