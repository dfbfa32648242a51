/* The teams tree as an indented list (`orgs/inc/node.html`): the first click on 展开 loads the
   branch (htmx, once); later clicks fold and unfold it without asking the server again. */
(function () {
  "use strict";
  function mark(button, open) {
    var verb = open ? "收起" : "展开";
    button.textContent = verb;
    button.setAttribute("aria-label", verb + button.dataset.name);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var branch = event.detail.target;
    var button = document.querySelector('.teams-toggle[hx-target="#' + branch.id + '"]');
    if (button) {
      button.dataset.loaded = "1";
      mark(button, true);
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".teams-toggle");
    if (!button || !button.dataset.loaded) { return; }
    var branch = document.querySelector(button.getAttribute("hx-target"));
    mark(button, !branch.classList.toggle("d-none"));
  });
})();
