"""The benchmark data generator builds a complete experiment of the size asked for."""

import sqlalchemy as sa

from procure import models as m
from procure.extensions import db


def test_bench_seed_creates_a_complete_experiment(runner):
    result = runner.invoke(
        args=[
            "bench",
            "seed",
            "--boroughs",
            "3",
            "--options",
            "4",
            "--criteria",
            "4",
            "--requirements",
            "6",
            "--slug",
            "tiny",
        ]
    )
    assert result.exit_code == 0, result.output
    exp = db.session.scalar(sa.select(m.Experiment).where(m.Experiment.slug == "tiny"))

    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    assert count(m.Participation, m.Participation.experiment_id == exp.id) == 3
    assert (
        count(m.Scorecard, m.Scorecard.experiment_id == exp.id, m.Scorecard.status == "submitted")
        == 12
    )
    assert count(m.Score) == 48
    assert count(m.Endorsement) == 18
    assert count(m.LandscapeEntry, m.LandscapeEntry.experiment_id == exp.id) == 3
    versions = db.session.scalars(
        sa.select(m.SpecificationVersion.number).where(
            m.SpecificationVersion.experiment_id == exp.id
        )
    ).all()
    assert sorted(versions) == ["0.1", "1.0"]
    again = runner.invoke(args=["bench", "seed", "--slug", "tiny"])
    assert again.exit_code != 0 and "already exists" in again.output
