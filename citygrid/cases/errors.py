"""Refusals of the case workflow, in the project's one error class (`core.errors`)."""

from citygrid.core.errors import RecordNotFound


class CaseNotFound(RecordNotFound):
    """Outside the actor's scope, or does not exist: the same answer for both (404)."""

    def __init__(self):
        super().__init__("事件不存在或不在您的管辖范围内")
