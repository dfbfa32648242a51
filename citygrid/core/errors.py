"""The one error class for a refused action, whatever the app (workflow, housing, people, the
write path). `code` is for clients to branch on, `message` is shown to people in Chinese and
`status` is the HTTP status the API and pages answer with."""


class ActionError(Exception):
    """A refused action; raised before anything is written, or inside the transaction it rolls
    back, so a refusal never leaves a partial change."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class RecordNotFound(ActionError):
    """Outside the actor's scope, or does not exist: the same answer for both (404)."""

    def __init__(self, message: str = "记录不存在或不在您的管辖范围内"):
        super().__init__("not_found", message, 404)


class OutOfScope(ActionError):
    """A write that would leave the record outside the writer's territory (rolled back)."""

    def __init__(self):
        super().__init__("out_of_scope", "保存后的记录不在您的管辖范围内，未保存", 403)
