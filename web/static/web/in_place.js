// Where htmx has replaced part of a page (an action's form opened, a notification marked read),
// the focus goes where the reader's next step is, as it would after a page load: the part's
// own [data-focus] element, else the part itself.
document.addEventListener("htmx:afterSettle", function (event) {
  "use strict";
  var target = event.detail.target;
  var part = (target.id && document.getElementById(target.id)) || target;
  var focus = part.querySelector("[data-focus]") || (part.hasAttribute("tabindex") ? part : null);
  if (focus) { focus.focus(); }
});
