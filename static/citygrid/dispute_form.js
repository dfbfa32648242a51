/* The grid app's 矛盾纠纷登记 form (/m/disputes/new/): add and remove party rows of the Django
   formset (prefix "party"), and keep a registration from being lost or sent twice: it posts
   straight to the server, so it is held back offline and the button is locked once pressed. */
(function () {
  "use strict";
  var form = document.getElementById("dispute-form");
  if (!form) return;
  var list = document.getElementById("party-list");
  var template = document.getElementById("party-template");
  var total = document.getElementById("id_party-TOTAL_FORMS");
  var initial = document.getElementById("id_party-INITIAL_FORMS");
  var submit = form.querySelector("button[type=submit]");
  var offline = document.getElementById("dispute-offline");
  var ATTRS = ["name", "id", "for"];

  function rows() { return Array.prototype.slice.call(list.querySelectorAll("[data-party-row]")); }

  // Formset fields are numbered party-0-…, party-1-…: keep them 0..n-1 after a removal.
  function renumber() {
    rows().forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
        ATTRS.forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/party-(\d+|__prefix__)-/, "party-" + index + "-"));
        });
      });
    });
    total.value = rows().length;
    initial.value = Math.min(Number(initial.value), rows().length);
  }

  function add(side) {
    var row = template.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    renumber();
    row.querySelector("select[name$='-side']").value = side;
    row.querySelector("input[name$='-name']").focus();
  }

  form.querySelectorAll("[data-party-add]").forEach(function (button) {
    button.addEventListener("click", function () { add(button.dataset.partyAdd); });
  });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-party-remove]");
    if (!button) return;
    button.closest("[data-party-row]").remove();
    renumber();
  });

  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      offline.hidden = false;
      offline.scrollIntoView({ block: "center" });
      return;
    }
    offline.hidden = true;
    submit.disabled = true;
    submit.textContent = "正在提交…";
  });
  // Back from the result page, the browser may show this page as it was left: unlock it.
  window.addEventListener("pageshow", function () {
    submit.disabled = false;
    submit.textContent = "提交登记";
  });
})();
