"""The report form says who belongs in each PPKS category (people do not know the 26 names): the
chosen one's explanation under the list, and all of them in a list to open."""

import pytest

from tests.web.test_report_form import filled, text

pytestmark = pytest.mark.django_db

LUT_ID = (
    "Lansia (60 tahun ke atas) yang tidak terurus: tidak ada yang merawat atau kebutuhan "
    "dasarnya tidak terpenuhi."
)
LUT_EN = (
    "An older person (60 or over) left uncared for: no one looks after them or their basic "
    "needs go unmet."
)
AJ_ID = (
    "Anak yang menghabiskan sebagian besar waktunya di jalanan atau tempat umum, untuk bekerja "
    "atau hidup di sana."
)


def test_a_new_form_says_how_to_learn_what_a_category_means(client, alice):
    client.force_login(alice)
    page = text(client.get("/lapor/"))
    assert (
        '<select id="f-category" name="category" required aria-describedby="category-help">'
    ) in page
    assert (
        '<p id="category-help" class="hint" aria-live="polite">'
        "Pilih kategori untuk melihat siapa yang termasuk di dalamnya.</p>"
    ) in page
    assert f'<option value="LUT" data-help="{LUT_ID}">Lanjut Usia Terlantar</option>' in page
    assert f'<option value="AJ" data-help="{AJ_ID}">Anak Jalanan</option>' in page


def test_every_category_is_explained_in_the_list_to_open(client, alice):
    client.force_login(alice)
    page = text(client.get("/lapor/"))
    details = page.split('<details class="categories">')[1].split("</details>")[0]
    assert "<summary>Apa arti tiap kategori?</summary>" in details
    assert f"<dt>Lanjut Usia Terlantar</dt><dd>{LUT_ID}</dd>" in details
    assert details.count("<dt>") == 26 and details.count("<dd>") == 26
    assert "<dd></dd>" not in details
    assert "/static/web/category.js" in page


def test_the_form_sent_back_explains_the_category_chosen(client, alice):
    client.force_login(alice)
    page = text(client.post("/lapor/", filled(nik="12345")))  # refused for the NIK
    assert f'<p id="category-help" class="hint" aria-live="polite">{LUT_ID}</p>' in page
    assert f'<option value="LUT" data-help="{LUT_ID}" selected>' in page


def test_a_refused_category_is_described_by_its_error_and_its_hint(client, alice):
    client.force_login(alice)
    page = text(client.post("/lapor/", filled(category="")))
    assert (
        '<select id="f-category" name="category" required aria-invalid="true" '
        'aria-describedby="e-category category-help">'
    ) in page
    assert '<p class="error" id="e-category">' in page
    assert "Pilih kategori untuk melihat siapa yang termasuk di dalamnya.</p>" in page


def test_an_english_reader_gets_the_explanations_in_english(client, alice):
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/lapor/"})
    page = text(client.post("/lapor/", filled(nik="12345")))
    assert f'<p id="category-help" class="hint" aria-live="polite">{LUT_EN}</p>' in page
    assert "<summary>What does each category mean?</summary>" in page
    assert f"<dt>Neglected older person (60+)</dt><dd>{LUT_EN}</dd>" in page
    assert '<option value="" data-help="Choose a category to see who belongs in it.">' in page


def test_the_hint_script_is_kept_on_the_phone_with_the_form(client):
    assert '"/static/web/category.js"' in client.get("/sw.js").content.decode()
