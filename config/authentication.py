"""How an API request proves who sent it: `Authorization: Bearer <access token>` (simplejwt),
with answers a client can act on. An expired token is not a forged one: it says the session
ended (`token_expired`), so the app signs in again rather than reporting an attack; another
scheme (`Token …`, `Basic …`) says how to send the token rather than "no credentials".

A module of its own: DRF imports it while defining its views, so it must not import them.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings


class SessionExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"
    default_detail = _("Your session has ended: sign in again.")


class WrongScheme(exceptions.AuthenticationFailed):
    default_code = "bad_authorization_header"
    default_detail = _("Send the token as 'Authorization: Bearer <token>'.")


class BearerAuthentication(JWTAuthentication):
    def authenticate(self, request: Request) -> Any:
        header = self.get_header(request)
        if header is not None:
            parts = header.split()
            if parts and parts[0] not in AUTH_HEADER_TYPE_BYTES:
                raise WrongScheme()
        return super().authenticate(request)

    def get_validated_token(self, raw_token: bytes) -> Any:
        expired = False
        for token_class in api_settings.AUTH_TOKEN_CLASSES:
            try:
                return token_class(raw_token)
            except ExpiredTokenError:  # a genuine token (its signature checked), too old
                expired = True
            except TokenError:
                continue
        if expired:
            raise SessionExpired()
        return super().get_validated_token(raw_token)  # the forged or malformed: simplejwt's 401
