"""What the OpenAPI schema needs to know of our own classes (imported by `config.urls`)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerScheme(SimpleJWTScheme):
    """`config.authentication.BearerAuthentication` is simplejwt's scheme, as the schema says."""

    target_class = "config.authentication.BearerAuthentication"
