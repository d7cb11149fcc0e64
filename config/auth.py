"""Signing in: the JWT endpoints, the admin's login and the web app's, under the same limits.

- Per client address: `AUTH_THROTTLE_RATE` logins (API and admin share one budget, the
  throttle's cache key). The address is `REMOTE_ADDR`, unless `TRUSTED_PROXY_COUNT` says how many
  proxies in front append to `X-Forwarded-For` (a client can write that header itself).
- Per account: `config.login_guard` (wrong passwords lock the account for a while).
- A refresh token works once, even when it is sent twice at the same moment.
"""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView

from config import login_guard

LOGIN_SCOPE = "auth"


def _locked_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return gettext("Too many wrong passwords for this account. Try again in %(minutes)d min.") % {
        "minutes": minutes
    }


class AccountLocked(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "account_locked"

    def __init__(self, wait: int) -> None:
        super().__init__(_locked_message(wait))
        self.wait = wait  # the error handler turns it into Retry-After


class GuardedModelBackend(ModelBackend):
    """Django's password check, refused while the account is locked, counting what fails."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            return super().authenticate(request, username, password, **kwargs)
        if login_guard.retry_after(username) is not None:
            return None  # locked: not even the right password
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            login_guard.failure_record(username)
        else:
            login_guard.success_record(username)
        return user


class ThrottledTokenObtainPairView(TokenObtainPairView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = LOGIN_SCOPE

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(username, str) and (wait := login_guard.retry_after(username)):
            raise AccountLocked(wait)
        return super().post(request, *args, **kwargs)


@extend_schema_serializer(component_name="TokenRefresh")  # the schema's name for it, as before
class OneUseTokenRefreshSerializer(TokenRefreshSerializer):
    """A refresh token works once: the answer's new refresh token replaces it."""

    # simplejwt's refresh, with the token's outstanding row locked while it is checked and
    # blacklisted: of two refreshes of one token at the same moment, the second waits and then
    # finds it used (on PostgreSQL; SQLite runs one write at a time anyway).

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        with transaction.atomic():
            token = RefreshToken(attrs["refresh"])  # signature, expiry, not yet blacklisted
            jti = token[jwt_settings.JTI_CLAIM]
            # Every refresh token we issue has its outstanding row (the login's and each
            # rotation's): the lock queues a second redemption behind the first.
            list(OutstandingToken.objects.select_for_update().filter(jti=jti))
            if BlacklistedToken.objects.filter(token__jti=jti).exists():
                raise TokenError(_("Token is blacklisted"))  # as simplejwt says it: a 401
            return super().validate(attrs)


class AdminLoginThrottle(ScopedRateThrottle):
    """The API login's per-address limit, for the admin's login form (same cache key)."""

    def allow_login(self, request: HttpRequest) -> bool:
        self.scope = LOGIN_SCOPE
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, None)  # type: ignore[arg-type]


class LoginLimits:
    """For a login form: too many attempts from the address or for the account are the form
    again, with the reason (the API's limits, counted in the same place)."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        throttle = AdminLoginThrottle()
        if self.request is not None and not throttle.allow_login(self.request):
            raise ValidationError(
                _("Too many login attempts from your address. Try again in %(seconds)d s."),
                code="throttled",
                params={"seconds": max(1, round(throttle.wait() or 1))},
            )
        username = self.cleaned_data.get("username")
        if username and (locked_for := login_guard.retry_after(username)):
            raise ValidationError(_locked_message(locked_for), code="account_locked")
        return super().clean()  # type: ignore[misc]


class GuardedAdminAuthenticationForm(LoginLimits, AdminAuthenticationForm):
    """The admin's login form, under the login limits."""


class GuardedSignInForm(LoginLimits, AuthenticationForm):
    """The web app's sign-in (`/masuk/`): any active account, under the login limits; its
    labels are the names the pages are known by."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. Capital letters count: check both and try again."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
