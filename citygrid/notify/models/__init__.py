from citygrid.notify.models.notifications import Notification
from citygrid.notify.models.sms import SmsMessage, SmsTemplate

__all__ = ["Notification", "SmsMessage", "SmsTemplate"]
