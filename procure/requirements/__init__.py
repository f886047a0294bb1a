from flask import Blueprint
from werkzeug.routing import BaseConverter

bp = Blueprint("requirements", __name__)


class ReferenceConverter(BaseConverter):
    """``REQ-001`` in a URL ↔ the requirement number 1 (also accepts more digits: REQ-1234)."""

    regex = r"REQ-\d{3,6}"

    def to_python(self, value: str) -> int:
        return int(value[4:])

    def to_url(self, value: int) -> str:
        return f"REQ-{int(value):03d}"


# The routes (registered by the application factory) use it in their URLs.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("ref", ReferenceConverter))
