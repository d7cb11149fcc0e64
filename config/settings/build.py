"""The image's build (`Dockerfile`): only `collectstatic` runs, with no secret, database or
broker to hand. Production's settings rightly refuse to start without them; these are the base
settings with the same static-file storage, so the collected files are production's."""

from config.settings.base import *  # noqa: F403

DEBUG = False
