/* Long selects (parent region, grid, scope regions) become searchable with Tom Select. */
(function () {
  "use strict";
  // Region pickers search the server instead (region-picker.js).
  document.querySelectorAll("form select:not([data-region-picker])").forEach(function (select) {
    if (select.options.length > 15 || select.multiple) {
      new TomSelect(select, { maxOptions: 500, plugins: select.multiple ? ["remove_button"] : [] });
    }
  });
})();
