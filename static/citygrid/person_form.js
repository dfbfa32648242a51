/* Person form: show the detail section of the chosen residence type, and the left-behind
   section when "留守人员" is ticked. Hidden sections are not saved by the server either. */
(function () {
  "use strict";
  var type = document.getElementById("id_residence_type");
  var leftBehind = document.getElementById("id_left_behind");
  if (!type) return;
  function update() {
    document.querySelectorAll("[data-person-detail]").forEach(function (section) {
      var key = section.getAttribute("data-person-detail");
      var shown = key === "left_behind" ? leftBehind && leftBehind.checked : key === type.value;
      section.hidden = !shown;
    });
  }
  type.addEventListener("change", update);
  if (leftBehind) leftBehind.addEventListener("change", update);
  update();
})();
