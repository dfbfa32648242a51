class WorkflowError(Exception):
    """A refused action. `code` is for clients to branch on; `message` is shown to people."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class CaseNotFound(WorkflowError):
    """Outside the actor's scope, or does not exist: the same answer for both (404)."""

    def __init__(self):
        super().__init__("not_found", "事件不存在或不在您的管辖范围内", 404)
