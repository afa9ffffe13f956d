"""The account: User (e-mail login, one role), its password history and its known sign-in devices."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import Role


class ActivationKind(models.TextChoices):
    SIGNUP = "signup", "Patient self-registration"
    INVITATION = "invitation", "Staff invitation"


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
    # Self-registration and staff invitations: the account stays inactive until the emailed link
    # is used. `activation_pending` says which link may activate it; a deactivated account has
    # none, so no link can bring it back. `activation_sent_at` is part of the link's signed
    # state, so sending a new link voids the older ones.
    activation_pending = models.CharField(max_length=16, choices=ActivationKind.choices, blank=True, default="")
    activation_sent_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)

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
        """Staff roles need a second factor; so does an account without a role (one made outside
        the services, such as by an old createsuperuser): it is treated as staff, never as a
        patient. Patients alone may sign in with a password only."""
        return self.role is None or self.role.is_staff_role


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, for the no-reuse rule (accounts.validators)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "password history"

    def __str__(self):
        return f"Password history #{self.pk}"


class KnownDevice(models.Model):
    """A (browser family, IP) pair a user has signed in from, stored only as a keyed hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    pair_hash = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "pair_hash"], name="accounts_knowndevice_unique_pair")]

    def __str__(self):
        return f"Known device #{self.pk}"
