// The hint under the report form's category list: who belongs in the chosen category, from the
// option's data-help (the server writes the first one into the page).
(function () {
  "use strict";
  var select = document.getElementById("f-category");
  var hint = document.getElementById("category-help");
  if (!select || !hint) { return; }

  function show() {
    var option = select.options[select.selectedIndex];
    hint.textContent = option ? option.getAttribute("data-help") || "" : "";
  }
  select.addEventListener("change", show);
  // A reset puts the first option back after the event: read it once it has.
  if (select.form) {
    select.form.addEventListener("reset", function () { window.setTimeout(show, 0); });
  }
})();
