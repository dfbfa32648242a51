/* Long selects (parent region, grid, scope regions) become searchable with Tom Select. */
(function () {
  "use strict";
  // Region pickers search the server instead (region-picker.js).
  document.querySelectorAll("form select:not([data-region-picker])").forEach(function (select) {
    if (select.options.length > 15 || select.multiple) {
      // Filter on each keystroke (the options are all in the page): with Tom Select's default
      // 300 ms throttle, a refresh still pending when an option is picked reopens the list and
      // takes the focus back, so what one types next lands in the search box.
      new TomSelect(select, {
        maxOptions: 500,
        refreshThrottle: 0,
        plugins: select.multiple ? ["remove_button"] : [],
      });
    }
  });
})();

/* Sex and birth date follow a resident ID card number as it is typed (GB 11643: birth date in
   digits 7–14, or 7–12 after "19" in an old 15-digit number; the 17th (15th) digit odd = male).
   Only fields that are empty or were filled this way are touched, so a value typed by hand is
   never overwritten; the server checks the same rules again (Person.clean). Nothing leaves the
   page: the number is never sent anywhere. */
(function () {
  "use strict";
  var RESIDENT_ID_CARD = "111";  // GA/T 517
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function validDate(y, m, d) {
    var date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 &&
      date.getUTCDate() === d && date <= new Date();
  }

  // {birth: "YYYY-MM-DD", sex: "1"|"2"} of a complete, well-formed number; else null.
  function decode(raw) {
    var number = raw.trim().toUpperCase(), birth, sexDigit;
    if (/^\d{17}[\dX]$/.test(number)) {
      var sum = 0;
      for (var i = 0; i < 17; i++) { sum += Number(number[i]) * WEIGHTS[i]; }
      if (CHECK[sum % 11] !== number[17]) { return null; }
      birth = number.slice(6, 14);
      sexDigit = Number(number[16]);
    } else if (/^\d{15}$/.test(number)) {
      birth = "19" + number.slice(6, 12);
      sexDigit = Number(number[14]);
    } else {
      return null;
    }
    var y = Number(birth.slice(0, 4)), m = Number(birth.slice(4, 6)), d = Number(birth.slice(6));
    if (!validDate(y, m, d)) { return null; }
    return {
      birth: birth.slice(0, 4) + "-" + birth.slice(4, 6) + "-" + birth.slice(6),
      sex: sexDigit % 2 ? "1" : "2"
    };
  }

  // A field we may write: empty, or still holding what we wrote.
  function free(field) {
    return !field.value || field.dataset.autofilled === field.value;
  }

  function fill(field, value) {
    if (!free(field) || field.value === value) { return; }
    field.value = value;
    if (value) { field.dataset.autofilled = value; } else { delete field.dataset.autofilled; }
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.querySelectorAll("form").forEach(function (form) {
    var number = form.querySelector("input[name='id_number']");
    var sex = form.querySelector("select[name='sex']");
    var birth = form.querySelector("input[name='birth_date']");
    var type = form.querySelector("select[name='id_type']");
    if (!number || !sex || !birth) { return; }
    function update() {
      var info = (!type || !type.value || type.value === RESIDENT_ID_CARD)
        ? decode(number.value) : null;
      fill(sex, info ? info.sex : "");
      fill(birth, info ? info.birth : "");
    }
    number.addEventListener("input", update);
    if (type) { type.addEventListener("change", update); }
  });
})();
