"""Password rules beyond Django's own (length, common list, similarity): maximum length,
complexity with a passphrase exemption, and no reuse of recent passwords.

Messages say what to change, not only what is wrong.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from accounts.models import PasswordHistory


class MaximumLengthValidator:
    """128 characters at most: any character is allowed, but an unbounded input is a hashing DoS."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return f"Your password can be at most {self.max_length} characters long."


# str methods, not ASCII sets: letters and digits of any alphabet count.
CHARACTER_CLASSES = {
    "lower-case letters": lambda c: c.islower(),
    "upper-case letters": lambda c: c.isupper(),
    "digits": lambda c: c.isdigit(),
    "symbols or spaces": lambda c: not c.isalnum(),
}


class ComplexityValidator:
    """At least three of: lower-case, upper-case, digit, symbol. Passphrases of
    `passphrase_length` characters or more are exempt (length beats character classes)."""

    def __init__(self, passphrase_length: int = 20, required_classes: int = 3):
        self.passphrase_length = passphrase_length
        self.required_classes = required_classes

    def validate(self, password, user=None):
        if len(password) >= self.passphrase_length:
            return
        missing = [name for name, test in CHARACTER_CLASSES.items() if not any(test(c) for c in password)]
        present = len(CHARACTER_CLASSES) - len(missing)
        if present < self.required_classes:
            raise ValidationError(
                "This password needs more variety: use at least %(required)d of lower-case letters, "
                "upper-case letters, digits and symbols (it has no %(missing)s), or make it a passphrase "
                "of %(passphrase_length)d characters or more.",
                code="password_too_simple",
                params={
                    "required": self.required_classes,
                    "missing": " or ".join(missing),
                    "passphrase_length": self.passphrase_length,
                },
            )

    def get_help_text(self):
        return (
            f"Use at least {self.required_classes} of lower-case letters, upper-case letters, digits and "
            f"symbols, or a passphrase of {self.passphrase_length} characters or more."
        )


class PasswordHistoryValidator:
    """Refuses the user's current password and their last `history_size` passwords.

    The history holds password hashes only (accounts.PasswordHistory, written by
    `password_changed`, which Django calls whenever a new password is saved). Each candidate is
    compared with check_password, so an old hash of any algorithm still counts.
    """

    def __init__(self, history_size: int = 5):
        self.history_size = history_size

    def _recent_hashes(self, user) -> list[str]:
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password_hash", flat=True)[: self.history_size]
        )
        if user.has_usable_password() and user.password not in hashes:
            hashes.insert(0, user.password)
        return hashes

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        for encoded in self._recent_hashes(user):
            if check_password(password, encoded):
                raise ValidationError(
                    f"You have used this password recently: choose one that differs from your last "
                    f"{self.history_size} passwords.",
                    code="password_reused",
                )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password_hash=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: self.history_size]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self):
        return f"Your password must differ from your last {self.history_size} passwords."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20 000 common passwords, with a message that says what to do instead."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                "This password is too common: attackers try it first. Choose a less predictable one, for "
                "example a passphrase of several unrelated words.",
                code="password_too_common",
            ) from None


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity check, with a message that says what to do instead."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            verbose_name = (error.error_list[0].params or {}).get("verbose_name", "personal details")
            raise ValidationError(
                "This password is too similar to your %(verbose_name)s: choose one that does not contain "
                "your name or e-mail address.",
                code="password_too_similar",
                params={"verbose_name": verbose_name},
            ) from None
