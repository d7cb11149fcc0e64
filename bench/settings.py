"""Settings of the benchmark: the product's base settings, plus the minimal comparison view.

The database settings are the product's own (connection age, health checks) so the figures
are those of production; only the engine is checked: the bench measures PostgreSQL, never
the SQLite fallback.
"""

import warnings

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

ROOT_URLCONF = "bench.urls"
DEBUG = False
# "testserver": the in-process request that captures the list endpoint's SQL.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The benchmark needs PostgreSQL: set DATABASE_URL.")

# The API serves no static files here; whitenoise's note about a missing STATIC_ROOT is noise.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
