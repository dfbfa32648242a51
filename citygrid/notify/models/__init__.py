from citygrid.notify.models.directives import Directive, DirectiveFile, DirectiveReceipt
from citygrid.notify.models.notifications import Notification
from citygrid.notify.models.sms import SmsMessage, SmsTemplate

__all__ = [
    "Directive",
    "DirectiveFile",
    "DirectiveReceipt",
    "Notification",
    "SmsMessage",
    "SmsTemplate",
]
