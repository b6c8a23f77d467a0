import pytest

from tests.factories import make_store, make_user


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background jobs run at once, in the request that enqueues them (one test runs a
    real worker process)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Jobs are enqueued once the request's transaction commits; tests run them then."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def downtown(db):
    return make_store("Downtown", code="DT01")


@pytest.fixture
def riverside(db):
    return make_store("Riverside", code="RV02")


@pytest.fixture
def clerk(db):
    """A store clerk: may view, add and change customers."""
    return make_user("clerk", groups=["Store staff"], first_name="Carla", last_name="Clerk")


@pytest.fixture
def manager(db):
    """A store manager: a clerk who may also delete, restore and export customers."""
    return make_user("manager", groups=["Managers"], first_name="Mona", last_name="Manager")


@pytest.fixture
def cashier(riverside):
    """Cal, a cashier holding Riverside alone: sees Riverside's customers only."""
    return make_user("cal", groups=["Store staff"], stores=[riverside], first_name="Cal")


@pytest.fixture
def rhea(riverside):
    """Rhea, a manager who holds Riverside alone: everything a manager does, in one store."""
    return make_user("rhea", groups=["Managers"], stores=[riverside], first_name="Rhea")


@pytest.fixture
def rhea_client(client, rhea):
    client.force_login(rhea)
    return client


@pytest.fixture
def outsider(db):
    """Signed in, but holds no back-office permission."""
    return make_user("outsider")


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def pytest_report_header(config):
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return "database: sqlite (a throwaway in-memory test database)"
    test_name = settings_dict["TEST"].get("NAME") or f"test_{settings_dict['NAME']}"
    return f"database: {connection.vendor} (test database {test_name} on {settings_dict['HOST']})"
