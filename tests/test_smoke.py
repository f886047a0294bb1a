from tests.factories import AdminFactory, ExperimentFactory


def test_home_and_login_pages(client):
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 200


def test_admin_sees_unpublished_experiment(client, as_user):
    admin = AdminFactory()
    exp = ExperimentFactory(title="Hidden housing", is_published=False)
    as_user(admin)
    r = client.get(f"/experiments/{exp.slug}")
    assert r.status_code == 200
    assert b"Hidden housing" in r.data
