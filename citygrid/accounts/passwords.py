import re

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """等保 level 3 asks for complex passwords: three of upper, lower, digit, symbol."""

    def validate(self, password, user=None):
        classes = [r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"


class UsernameValidator:
    """A password containing the username is the first guess of anyone who knows the account.

    Stricter than Django's similarity check, which lets a long password hide the name."""

    def validate(self, password, user=None):
        username = getattr(user, "username", "")
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"
