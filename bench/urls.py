"""The product's URLs plus the minimal view the case intake is compared with."""

from django.urls import path

from bench.minimal import minimal_case_create
from config import urls as product

MINIMAL_PATH = "/bench/minimal-case/"

handler400 = product.handler400
handler403 = product.handler403
handler404 = product.handler404
handler500 = product.handler500

urlpatterns = [
    *product.urlpatterns,
    path(MINIMAL_PATH.lstrip("/"), minimal_case_create, name="bench-minimal"),
]
