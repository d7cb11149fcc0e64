from django.urls import path

from workflows import apis, record_apis
from workflows.serializers import ACTION_INPUTS

urlpatterns = [
    path("cases/", apis.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/export/", apis.CaseExportApi.as_view(), name="case-export"),
    path("cases/<uuid:case_id>/", apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<uuid:case_id>/history/", apis.CaseHistoryApi.as_view(), name="case-history"),
    path("cases/<uuid:case_id>/notes/", record_apis.CaseNotesApi.as_view(), name="case-notes"),
    path(
        "cases/<uuid:case_id>/attachments/",
        record_apis.CaseAttachmentsApi.as_view(),
        name="case-attachments",
    ),
    path(
        "cases/<uuid:case_id>/attachments/<int:attachment_id>/",
        record_apis.CaseAttachmentApi.as_view(),
        name="case-attachment",
    ),
    path(
        "cases/<uuid:case_id>/assistance/",
        record_apis.CaseAssistanceApi.as_view(),
        name="case-assistance",
    ),
    *(
        path(
            f"cases/<uuid:case_id>/{action}/",
            apis.action_api(action).as_view(),
            name=f"case-{action}",
        )
        for action in ACTION_INPUTS
    ),
]
