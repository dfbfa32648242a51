/* The parties of a dispute on the registration form: add a row from the empty form's template
   (its __prefix__ replaced by the next index, TOTAL_FORMS raised) and remove a row. A removed
   row is emptied and hidden rather than taken out, so the formset's indexes stay contiguous; a
   row without a name is not saved. */
(function () {
  "use strict";
  var list = document.getElementById("parties");
  var template = document.getElementById("party-template");
  var add = document.getElementById("add-party");
  var total = document.getElementById("id_party-TOTAL_FORMS");
  if (!list || !template || !add || !total) return;

  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var name = list.lastElementChild.querySelector("[name$='-name']");
    if (name) name.focus();
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-party]");
    if (!button) return;
    var row = button.closest("[data-party]");
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.hidden = true;
  });
})();
