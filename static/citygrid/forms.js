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
