// A transfer's region pickers on the case page: choosing a kabupaten/kota lists its kecamatan,
// a kecamatan its desa/kelurahan, from the report form's region list (/lapor/wilayah.json).
// The form may arrive later (htmx swaps it in), so it listens on the document. Without this
// script the server lists what lies below what was chosen once the form is sent.
(function () {
  "use strict";
  var children = null;
  var loading = null;

  function load(url) {
    if (!loading) {
      loading = fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { regions: [] }; })
        .then(function (data) {
          children = {};
          data.regions.forEach(function (row) {
            (children[row[2]] = children[row[2]] || []).push(row);
          });
        }).catch(function () { children = null; loading = null; });
    }
    return loading;
  }
  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    var below = select.getAttribute("data-below");
    if (below) { clear(document.getElementById(below)); }
  }
  function fill(select, parent) {
    clear(select);
    ((children && children[parent]) || []).forEach(function (row) {
      select.add(new Option(row[1], row[0]));
    });
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    var form = select.form;
    if (!form || !form.hasAttribute("data-regions") || !select.hasAttribute("data-below")) { return; }
    var below = document.getElementById(select.getAttribute("data-below"));
    if (!below) { return; }
    clear(below);
    load(form.getAttribute("data-regions")).then(function () {
      if (select.value) { fill(below, select.value); }
    });
  });
})();
