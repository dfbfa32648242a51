import pytest


@pytest.fixture(autouse=True)
def sms_templates(db):
    """The seeded templates, again: a transactional test elsewhere may have flushed them."""
    from citygrid.notify.seeds import seed_sms_templates

    seed_sms_templates()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send_sms(...) as an action would, with the commit that follows it."""
    from citygrid.notify.services import send_sms

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            message = send_sms(*args, **kwargs)
        message.refresh_from_db()
        return message

    return run
