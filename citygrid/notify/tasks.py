from django_tasks import task

from citygrid.notify import services


@task()
def deliver_sms(message_id: int) -> None:
    """Background delivery: a provider's slow gateway never holds up the request that sent."""
    services.deliver(message_id)
