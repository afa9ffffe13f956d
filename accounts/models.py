from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """A break-glass operator account for `createsuperuser`; it still needs a TOTP device for admin."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The e-mail address is the login and is unique whatever its case.

    The role is a Django group (accounts.roles); `is_staff` only means "may open Django admin".
    """

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("may use the admin site", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        ordering = ["email"]

    def __str__(self):
        # No name or address: this string reaches admin logs and audit object_repr.
        return f"User #{self.pk}"

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    @property
    def role(self) -> Role | None:
        """The user's role, taken from their groups; a user has at most one."""
        names = {group.name for group in self.groups.all()}
        for role in Role:
            if role.value in names:
                return role
        return None

    @property
    def is_clinical_staff(self) -> bool:
        return self.role in (Role.DOCTOR, Role.NURSE)

    @property
    def requires_mfa(self) -> bool:
        return self.role is not None and self.role.is_staff_role


# ---- MFA (issue #3, accounts-api): recovery-code device, defined in its own module.
from accounts.mfa_models import RecoveryCode, RecoveryCodeDevice  # noqa: E402, F401
