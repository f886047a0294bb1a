"""Two people proposing at the same moment never get the same reference.

This test commits for real through separate connections (one per thread), so it
does not use the rolled-back ``db_session``; it removes what it made at the end.
"""

from __future__ import annotations

import threading
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from procure.experiments.models import Experiment
from procure.extensions import db
from procure.requirements.services import allocate_number


def test_simultaneous_allocations_get_different_numbers(app):
    with app.app_context():
        engine = db.engine
        with Session(engine) as setup:
            experiment = Experiment(slug=f"race-{uuid.uuid4().hex[:8]}", title="Race")
            setup.add(experiment)
            setup.commit()
            experiment_id = experiment.id
    barrier = threading.Barrier(2)
    numbers: list[int] = []
    errors: list[Exception] = []

    def propose_at_once() -> None:
        with app.app_context():
            try:
                exp = db.session.get(Experiment, experiment_id)
                barrier.wait(timeout=10)
                number = allocate_number(exp)
                time.sleep(0.3)  # hold the lock while the other thread tries
                db.session.commit()
                numbers.append(number)
            except OperationalError as exc:  # SQLite: "database is locked", never a duplicate
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=propose_at_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        with Session(engine) as check:
            counter = check.scalar(
                sa.select(Experiment.requirement_counter).where(Experiment.id == experiment_id)
            )
        assert len(numbers) == len(set(numbers)), f"duplicate numbers {numbers}"
        assert counter == len(numbers) and sorted(numbers) == list(range(1, counter + 1))
        if engine.dialect.name == "postgresql":
            # The row lock makes the second proposal wait, then read the first's number.
            assert sorted(numbers) == [1, 2] and not errors
        else:
            assert numbers and all("locked" in str(e) for e in errors)
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(sa.delete(Experiment).where(Experiment.id == experiment_id))
            cleanup.commit()
