/* A small map of a case, visit or task: its point(s) and, for a task, the grid's boundary. */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  window.CityGridBaseMaps(map, config);
  var bounds = L.latLngBounds([]);
  if (el.dataset.boundary) {
    var area = L.geoJSON(JSON.parse(el.dataset.boundary),
      { style: { color: "#206bc4", weight: 2, fillOpacity: 0.1 } }).addTo(map);
    bounds.extend(area.getBounds());
  }
  JSON.parse(el.dataset.points || "[]").forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], { pane: "cg-markers", radius: 8, color: "#d63939", weight: 2,
      fillColor: "#d63939", fillOpacity: 0.6 }).addTo(map);
    if (p.label) { marker.bindTooltip(p.label); }
    bounds.extend([p.lat, p.lng]);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
  } else {
    map.setView([config.center[1], config.center[0]], config.zoom);
  }
  if (el.dataset.regionsUrl && window.CityGridRegionsLayer) {
    window.CityGridRegionsLayer(map, el.dataset.regionsUrl);
  }
})();
