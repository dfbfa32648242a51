from citygrid.exchange.models.boards import (
    BOARD_LEVELS,
    Attachment,
    Board,
    Reply,
    Topic,
)

__all__ = ["BOARD_LEVELS", "Attachment", "Board", "Reply", "Topic"]
