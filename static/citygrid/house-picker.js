/* The owner warning of house pickers (housing/widgets.py; the picker itself is
   search-picker.js, loaded first): choosing a house that has an owner while the relation is
   产权人 shows the warning at once; the server asks again on submit. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-house-picker]").forEach(function (select) {
    var tom = select.tomselect;
    var relation = select.form && select.form.querySelector("select[name='relation']");
    if (!tom || !relation) { return; }
    var hint = document.createElement("div");
    hint.className = "text-warning small mt-1";
    hint.setAttribute("data-owner-hint", "");
    hint.hidden = true;
    tom.wrapper.insertAdjacentElement("afterend", hint);
    function update() {
      var chosen = tom.options[tom.getValue()];
      var owners = chosen && chosen.owners ? chosen.owners : 0;
      hint.hidden = !(owners && relation.value === "owner");
      hint.textContent = "该房屋已登记产权人 " + owners + " 人；如为共有产权，提交时需确认。";
    }
    tom.on("change", update);
    relation.addEventListener("change", update);
  });
})();
