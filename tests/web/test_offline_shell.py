"""What installs the field app and keeps it working with no signal: the manifest and its icons,
the service worker, the region list the pickers use offline, and the offline page."""

import gzip
import json

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_manifest_installs_the_app_with_icons_that_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "PPKS Kalimantan Selatan"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["shortcuts"][0] == {"name": "Laporan baru", "url": "/lapor/"}
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        name = icon["src"].removeprefix("/static/")
        path = finders.find(name)
        assert path, name
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_manifest_speaks_english_to_an_english_reader(client):
    manifest = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert manifest["lang"] == "en"
    assert manifest["shortcuts"][0]["name"] == "New report"


def test_the_service_worker_is_served_from_the_root_never_from_a_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    worker = response.content.decode()
    # It keeps the shell and the region list, and names the pages it may keep.
    for url in ("/static/web/app.css", "/static/web/queue.js", "/static/web/report.js"):
        assert f'"{url}"' in worker
    assert '"/lapor/wilayah.json"' in worker
    assert 'var REPORT = "/lapor/"' in worker and 'var OFFLINE = "/luring/"' in worker


def test_every_page_of_the_app_names_the_manifest_and_the_outbox(client, alice):
    client.force_login(alice)
    for path in ("/", "/lapor/", "/notifikasi/", "/luring/"):
        page = client.get(path).content.decode()
        assert 'rel="manifest" href="/manifest.webmanifest"' in page, path
        assert 'id="outbox-status" class="outbox" role="status"' in page, path
        assert 'data-worker="/sw.js"' in page and 'data-user="alice"' in page, path
        assert "/static/web/queue.js" in page, path
        script = page.split('<script id="ppks-text" type="application/json">')[1]
        text = script.split("</script>")[0]
        assert json.loads(text)["waiting"] == "Menunggu dikirim (%(count)s)"


def test_the_region_list_has_every_region_below_the_province(client, alice):
    client.force_login(alice)
    response = client.get("/lapor/wilayah.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=86400" in response["Cache-Control"]
    rows = json.loads(gzip.decompress(response.content))["regions"]
    assert len(rows) == 13 + 156 + 2016
    assert ["63.71.04.1003", "Alalak Selatan", "63.71.04"] in rows
    assert ["63.71", "Kota Banjarmasin", "63"] in rows

    again = client.get("/lapor/wilayah.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_the_offline_page_offers_the_report_form(client):
    page = client.get("/luring/").content.decode()
    assert "Tidak ada sinyal" in page
    assert 'href="/lapor/"' in page
