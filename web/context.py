"""What every page of the web app shows in its header (a template context processor)."""

from django.http import HttpRequest

from notifications import selectors as notification_selectors
from web import offline


def header(request: HttpRequest) -> dict[str, object]:
    """The reader's unread notifications and the words of the page scripts, on the web app's
    pages only (not the admin's)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "web":
        return {}
    shown: dict[str, object] = {"script_text": offline.script_text()}
    if request.user.is_authenticated:
        shown["unread"] = notification_selectors.inbox_unread_count(request.user)
    return shown
