/* The case page: a link to "#act-<action>" (the desk's action badges) opens that action's form
   in the panel; a photo thumbnail opens the full photo in the page's viewer. */
(function () {
  "use strict";
  var match = /^#act-([a-z_]+)$/.exec(window.location.hash);
  if (match) {
    var button = document.querySelector('#case-actions [data-action="' + match[1] + '"]');
    var panel = document.getElementById("act-" + match[1]);
    if (button && panel) {
      var focusFirst = function () {
        var field = panel.querySelector("textarea, select, input:not([type=hidden])");
        if (field) { field.focus({ preventScroll: true }); }
      };
      var focusWhenShown = function () {
        if (panel.classList.contains("show")) {
          focusFirst();
        } else {
          // A hidden field cannot take the focus: wait until the panel has opened.
          panel.addEventListener("shown.bs.collapse", focusFirst, { once: true });
        }
      };
      button.scrollIntoView({ block: "center" });
      if (!panel.classList.contains("show")) { button.click(); }
      focusWhenShown();
      // Once the page has loaded (map, fonts), the field has the focus unless the user put it
      // elsewhere meanwhile: a slow load could leave it on the page itself.
      window.addEventListener("load", function () {
        var active = document.activeElement;
        if (!active || active === document.body) { focusWhenShown(); }
      });
    }
  }
  var viewer = document.getElementById("photo-viewer");
  if (viewer) {
    viewer.addEventListener("show.bs.modal", function (event) {
      var link = event.relatedTarget;
      if (!link) { return; }
      document.getElementById("photo-viewer-image").src = link.getAttribute("href");
      document.getElementById("photo-viewer-caption").textContent = link.dataset.caption || "照片";
    });
  }
})();
