// The region pickers narrow each other: choosing a kabupaten/kota lists its kecamatan, a
// kecamatan its desa/kelurahan, from the API's region list (the page's own session signs it).
(function () {
  "use strict";
  var form = document.querySelector("form[data-regions]");
  if (!form) { return; }
  var url = form.getAttribute("data-regions");
  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    var below = select.getAttribute("data-below");
    if (below) { clear(document.getElementById(below)); }
  }
  function fill(select, parent) {
    clear(select);
    if (!parent) { return; }
    fetch(url + "?parent=" + encodeURIComponent(parent) + "&page_size=1000", {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (page) {
        page.results.sort(function (a, b) { return a.name.localeCompare(b.name); });
        page.results.forEach(function (region) { select.add(new Option(region.name, region.code)); });
      });
  }
  form.querySelectorAll("select[data-below]").forEach(function (select) {
    var below = document.getElementById(select.getAttribute("data-below"));
    select.addEventListener("change", function () { fill(below, select.value); });
    // Chosen before this script ran (a quick hand, the back button): list what lies below now.
    if (select.value && below.options.length <= 1) { fill(below, select.value); }
  });
})();
