/* Search-as-you-type pickers (people/widgets.py PersonPicker, housing/widgets.py HousePicker):
   the page holds only the chosen record; what is typed goes to data-search-url, which answers
   {"results": [{"id", "text", ...}]} from the user's territory, at most 20. POST by default
   (what is typed may be an ID number, which must not go into a URL); data-method="get" for
   searches of addresses and names of places. data-badge-field / data-badge-text mark results
   whose field is set (a house that has an owner). With data-reload-param, choosing reloads the
   page with ?<param>=<id>, for forms whose next fields depend on the choice. */
(function () {
  "use strict";
  var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function search(select, query, callback) {
    var request = { credentials: "same-origin", headers: { Accept: "application/json" } };
    var url = select.dataset.searchUrl;
    if (select.dataset.method === "get") {
      url += "?" + new URLSearchParams({ q: query });
    } else {
      request.method = "POST";
      request.headers["X-CSRFToken"] = token;
      request.body = new URLSearchParams({ q: query });
    }
    fetch(url, request)
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { callback(body.results); })
      .catch(function () { callback(); });
  }

  function textDiv(className, text) {
    var div = document.createElement("div");
    div.className = className;
    div.textContent = text;
    return div;
  }

  document.querySelectorAll("select[data-search-picker]").forEach(function (select) {
    var badgeField = select.dataset.badgeField;
    var picker = new TomSelect(select, {
      // One line whether focused or not (citygrid.css): a label that wrapped under the focused
      // control's input made the form jump when the focus left, and a click landed beside.
      wrapperClass: "ts-wrapper search-picker",
      valueField: "id",
      labelField: "text",
      // The server matched already; show what it sent as it is.
      searchField: [],
      score: function () { return function () { return 1; }; },
      loadThrottle: 250,
      maxOptions: 20,
      placeholder: select.dataset.placeholder,
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        this.clearOptions();
        search(select, query.trim(), callback);
      },
      render: {
        option: function (data) {
          var div = textDiv("", data.text);
          if (badgeField && data[badgeField]) {
            var badge = document.createElement("span");
            badge.className = "badge bg-yellow-lt ms-1";
            badge.textContent = select.dataset.badgeText;
            div.appendChild(badge);
          }
          return div;
        },
        loading: function () { return textDiv("p-2 text-secondary", "正在搜索…"); },
        no_results: function () {
          return textDiv("no-results", select.dataset.empty || "没有匹配的结果");
        }
      }
    });
    if (select.dataset.reloadParam) {
      picker.on("change", function (value) {
        if (!value) { return; }
        var url = new URL(window.location.href);
        url.searchParams.set(select.dataset.reloadParam, value);
        window.location.assign(url.toString());
      });
    }
  });
})();
