"""Logging filters: what a log line must never carry."""

import logging
import re

# "GET /kasus/?search=Nenek+Aminah HTTP/1.1": a name typed into a search travels in the query.
QUERY = re.compile(r"^(\S+ [^?\s]*)\?\S*")


class PathWithoutQuery(logging.Filter):
    """The development server's access line (`django.server`) with its query string cut."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (QUERY.sub(r"\1", record.args[0]), *record.args[1:])
        return True
