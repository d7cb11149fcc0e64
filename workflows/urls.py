from django.urls import path

from workflows import apis
from workflows.serializers import ACTION_INPUTS

urlpatterns = [
    path("cases/", apis.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<uuid:case_id>/", apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<uuid:case_id>/history/", apis.CaseHistoryApi.as_view(), name="case-history"),
    *(
        path(
            f"cases/<uuid:case_id>/{action}/",
            apis.action_api(action).as_view(),
            name=f"case-{action}",
        )
        for action in ACTION_INPUTS
    ),
]
