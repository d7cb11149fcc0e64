"""Local development (`make run`).

DEBUG stays off unless asked for: the API must answer errors as JSON, never as Django's HTML
debug page. Static files (admin, Swagger UI) are served from the apps without collectstatic.
"""

from config.settings.base import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
