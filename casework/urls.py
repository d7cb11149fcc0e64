from django.urls import path

from casework import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("regions/", apis.RegionListApi.as_view(), name="region-list"),
    path("regions/locate/", apis.RegionLocateApi.as_view(), name="region-locate"),
    path("categories/", apis.CategoryListApi.as_view(), name="category-list"),
    path("cases/check/", apis.CaseCheckApi.as_view(), name="case-check"),
    path("officers/", apis.OfficerListApi.as_view(), name="officer-list"),
]
