from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework_simplejwt.views import TokenRefreshView

from config import health, schema  # noqa: F401 (schema: registers the auth scheme)
from config.auth import (
    GuardedAdminAuthenticationForm,
    GuardedSignInForm,
    ThrottledTokenObtainPairView,
)
from web import urls as web_urls
from web.views import SignInView

# The admin's login under the API's limits (per address and per account).
admin.site.login_form = GuardedAdminAuthenticationForm
# Our name on every admin page, in the reader's language; "view site" opens the web app.
admin.site.site_header = _("PPKS Kalimantan Selatan — Administration")
admin.site.site_title = _("PPKS Kalimantan Selatan")
admin.site.index_title = _("Case management administration")
admin.site.site_url = "/"

handler400 = "common.error_responses.json_bad_request"
handler403 = "common.error_responses.json_permission_denied"
handler404 = "common.error_responses.json_not_found"
handler500 = "common.error_responses.json_server_error"

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", ThrottledTokenObtainPairView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("", include("casework.urls")),
    path("", include("workflows.urls")),
    path("", include("supervision.urls")),
    path("", include("notifications.urls")),
]

# The web app, its sign-in under the same login limits as the API's and the admin's.
web: list[URLPattern | URLResolver] = [
    path("masuk/", SignInView.as_view(authentication_form=GuardedSignInForm), name="sign-in"),
    *web_urls.urlpatterns,
]

urlpatterns = [
    path("", include((web, "web"))),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
]
