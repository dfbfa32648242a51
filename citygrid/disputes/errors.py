"""Refusals of the dispute workflow, in the project's one error class (`core.errors`)."""

from citygrid.core.errors import RecordNotFound


class DisputeNotFound(RecordNotFound):
    """Outside the actor's scope, or does not exist: the same answer for both (404)."""

    def __init__(self):
        super().__init__("纠纷不存在或不在您的管辖范围内")
