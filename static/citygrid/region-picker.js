/* Region pickers (regions/widgets.py) search as you type: the page holds only the selected
   regions, and matches come from GET regions:region_search (the user's territory, at most 20,
   never a boundary). */
(function () {
  "use strict";
  function search(select, query, callback) {
    var params = new URLSearchParams({ q: query });
    if (select.dataset.levels) { params.set("levels", select.dataset.levels); }
    fetch(select.dataset.searchUrl + "?" + params, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { callback(body.results); })
      .catch(function () { callback(); });
  }
  document.querySelectorAll("select[data-region-picker]").forEach(function (select) {
    new TomSelect(select, {
      // One line whether focused or not (citygrid.css): a label that wrapped under the focused
      // control's input moved the form under the next click.
      wrapperClass: select.multiple ? "ts-wrapper" : "ts-wrapper search-picker",
      // A filter by region code (`?within=`) keeps the code as its value.
      valueField: select.dataset.valueField || "id",
      labelField: "text",
      // The server matched already; Tom Select narrows the options it has kept from earlier
      // searches the same way (name, or code) as one types on.
      searchField: ["name", "code"],
      loadThrottle: 250,
      maxOptions: 20,
      placeholder: select.dataset.placeholder,
      plugins: select.multiple ? ["remove_button"] : [],
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) { search(select, query.trim(), callback); },
      render: {
        loading: function () { return '<div class="p-2 text-secondary">正在搜索…</div>'; },
        no_results: function () { return '<div class="no-results">没有匹配的区域</div>'; }
      }
    });
  });
})();
