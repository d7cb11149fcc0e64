"""What makes the volunteer's app work with no signal: the manifest that installs it, the
service worker that keeps its shell, the reference data the report form needs on the phone,
and the page shown for anything else while offline. The reports themselves wait in the phone's
IndexedDB (`web/static/web/queue.js`) and go through the API, keyed, when the phone is online."""

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from casework import reference_cache

# The shell: what /lapor/ needs to open and work with no signal.
SHELL_FILES = (
    "web/app.css",
    "web/queue.js",
    "web/report.js",
    "web/category.js",
    "web/icons/icon-192.png",
)
ICONS = (
    ("web/icons/icon-192.png", "192x192", "any"),
    ("web/icons/icon-512.png", "512x512", "any"),
    ("web/icons/maskable-512.png", "512x512", "maskable"),
)
# A day: the region list changes a few times a year; the service worker revalidates it anyway.
REGIONS_MAX_AGE = 24 * 60 * 60


# What the page scripts say, translated here with the rest of the app (`%(name)s` is filled in
# by the script).
SCRIPT_TEXT = {
    "waiting": _lazy("Waiting to be sent (%(count)s)"),
    "sign_in_to_send": _lazy("sign in to send"),
    "sent": _lazy("Report sent: %(reference)s"),
    "check_these": _lazy("Please check:"),
    "photo_refused": _lazy("Photo %(name)s was not accepted: %(message)s"),
    "refused": _lazy("The report was not accepted. Fix what is marked and send it again."),
    "kept_offline": _lazy(
        "No signal: the report is kept on this phone and will be sent by itself when there is one."
    ),
    "kept_retry": _lazy(
        "The server did not answer: the report is kept on this phone and will be sent again "
        "by itself."
    ),
    "kept_sign_in": _lazy(
        "The report is kept on this phone. Your session has ended: sign in again to send it."
    ),
    "not_kept": _lazy("The report could not be kept on this phone. Try again."),
    "preparing_photos": _lazy("Preparing the photos…"),
    "sending": _lazy("Sending…"),
    "kept_at": _lazy("kept %(time)s"),
    "state_waiting": _lazy("waiting for a signal"),
    "state_photos": _lazy("the report has arrived; its photos are on their way"),
    "dismiss": _lazy("Done"),
    "fix": _lazy("Fix"),
    "remove": _lazy("Remove"),
    "remove_confirm": _lazy("Remove this report from the phone? It has not been sent."),
    "locating": _lazy("Finding your location…"),
    "gps_found": _lazy("Location: %(place)s (accurate to about %(accuracy)s m)."),
    "gps_denied": _lazy(
        "Location access was refused. Choose the region from the lists, or allow location "
        "in the browser's settings."
    ),
    "gps_unavailable": _lazy("Your location could not be found. Choose the region from the lists."),
    "gps_offline": _lazy(
        "With no signal the region cannot be looked up from the GPS; the point is kept with "
        "the report. Choose the region from the lists."
    ),
}


def script_text() -> dict[str, str]:
    return {name: str(text) for name, text in SCRIPT_TEXT.items()}


@cache
def shell_version() -> str:
    """Changes whenever the shell or the worker changes: a new worker then replaces the old
    cache at once, instead of the phone keeping yesterday's script for a day."""
    digest = hashlib.sha256()
    worker = get_template("web/sw.js")
    digest.update(worker.template.source.encode())  # type: ignore[attr-defined]
    for name in SHELL_FILES:
        path = finders.find(name)
        if path:
            with open(str(path), "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """`/sw.js`, at the root so that it may serve every page of the app."""
    context = {
        "version": shell_version(),
        "shell": [static(name) for name in SHELL_FILES],
        "regions": reverse("web:report-regions"),
        "report": reverse("web:report"),
        "offline": reverse("web:offline"),
        "static_prefix": static(""),
    }
    response = render(request, "web/sw.js", context, content_type="text/javascript")
    # The browser checks for a new worker on every visit; it must not take a cached copy.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """`/manifest.webmanifest`: installs the app, opening on the home of the signed-in role."""
    body = {
        "name": _("PPKS Kalimantan Selatan"),
        "short_name": _("PPKS Kalsel"),
        "description": _("Report people in need of social-welfare help and follow their cases."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("web:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5e4a",
        "icons": [
            {"src": static(name), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for name, sizes, purpose in ICONS
        ],
        "shortcuts": [{"name": _("New report"), "url": reverse("web:report")}],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """`/luring/`: what the service worker shows for a page it does not keep, with no signal.
    It carries no personal data, so keeping it on the phone is harmless."""
    return render(request, "web/offline.html")


@require_GET
@gzip_page  # nothing secret in it, and it is most of the form's first load
def regions(request: HttpRequest) -> HttpResponse:
    """`/lapor/wilayah.json`: every kabupaten/kota, kecamatan and desa/kelurahan of the
    province as `[code, name, parent]`, so the form's pickers narrow each other offline."""
    body = _regions_body()
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="application/json"
    )
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=REGIONS_MAX_AGE)
    return response


def _regions_body() -> bytes:
    rows = [
        [region.code, region.name, region.parent_id]
        for region in sorted(reference_cache.regions.all(), key=lambda r: r.name)
        if region.parent_id
    ]
    return json.dumps({"regions": rows}, ensure_ascii=False, separators=(",", ":")).encode()
