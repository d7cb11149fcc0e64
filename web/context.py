"""What every page of the web app shows in its header (a template context processor)."""

from django.http import HttpRequest

from notifications import selectors as notification_selectors


def header(request: HttpRequest) -> dict[str, int]:
    """The reader's unread notifications, on the web app's pages only (not the admin's)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "web" or not request.user.is_authenticated:
        return {}
    return {"unread": notification_selectors.inbox_unread_count(request.user)}
