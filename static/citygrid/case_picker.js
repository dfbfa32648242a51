/* Pick a position on the map: a click fills the hidden lng/lat inputs and shows the grid found
   there (GET /api/regions/locate/), or a clear error when the point lies outside every grid. */
(function () {
  "use strict";
  var el = document.getElementById("position-picker");
  if (!el) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var lngInput = document.getElementById(el.dataset.lngInput);
  var latInput = document.getElementById(el.dataset.latInput);
  var status = document.getElementById("position-status");
  var map = L.map(el);
  window.CityGridBaseMaps(map, config);
  var marker = null;

  function show(text, kind) {
    status.textContent = text;
    status.className = "small mt-1 text-" + kind;
  }
  function locate(lng, lat) {
    show("正在查询所在网格…", "secondary");
    var params = new URLSearchParams({ lng: lng.toFixed(6), lat: lat.toFixed(6) });
    fetch(el.dataset.locateUrl + "?" + params, { credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
      })
      .then(function (res) {
        if (res.ok) {
          var path = res.body.ancestors.map(function (a) { return a.name; }).concat([res.body.grid.name]);
          show("所在网格：" + path.join(" / ") + "（" + res.body.grid.code + "）", "green");
        } else if (res.status === 404) {
          show("该位置不在任何网格内，请核对位置", "red");
        } else {
          show("无法查询所在网格（" + (res.body.message || res.status) + "），提交时将再次核对", "orange");
        }
      })
      .catch(function () { show("无法查询所在网格，提交时将再次核对", "orange"); });
  }
  function place(lng, lat) {
    if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.marker([lat, lng]).addTo(map); }
    lngInput.value = lng.toFixed(6);
    latInput.value = lat.toFixed(6);
    locate(lng, lat);
  }
  map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat); });
  var lng = parseFloat(lngInput.value), lat = parseFloat(latInput.value);
  var known = !isNaN(lng) && !isNaN(lat);
  if (known) {
    map.setView([lat, lng], 16);
    place(lng, lat);
  } else {
    map.setView([config.center[1], config.center[0]], config.zoom);
  }
  if (el.dataset.regionsUrl && window.CityGridRegionsLayer) {
    // Without a position yet, zoom to the user's territory.
    window.CityGridRegionsLayer(map, el.dataset.regionsUrl, { fit: !known });
  }
})();
