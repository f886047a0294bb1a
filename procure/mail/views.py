"""The Outbox page: what Procure sent, or would have sent, and in what state."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from procure.mail import bp
from procure.mail.outbox import list_messages
from procure.mail.read_models import outbox_row
from procure.mail.transports import transport_name
from procure.permissions import can

PAGE_SIZE = 100


@bp.route("/admin/outbox")
@login_required
def outbox():
    if not can(current_user, "outbox.view"):
        abort(403)
    rows = [outbox_row(m, slug) for m, slug in reversed(list_messages(limit=PAGE_SIZE))]
    return render_template(
        "mail/outbox.html", messages=rows, transport=transport_name(), page_size=PAGE_SIZE
    )
