/* Long selects (parent region, grid, scope regions) become searchable with Tom Select. */
(function () {
  "use strict";
  document.querySelectorAll("form select").forEach(function (select) {
    if (select.options.length > 15 || select.multiple) {
      new TomSelect(select, { maxOptions: 500, plugins: select.multiple ? ["remove_button"] : [] });
    }
  });
})();
