/* A region's boundary on its detail page, over the configured base map (if any). */
(function () {
  "use strict";
  var el = document.getElementById("region-map");
  if (!el) { return; }
  var map = L.map(el);
  var config = JSON.parse(document.getElementById("map-config").textContent);
  window.CityGridBaseMaps(map, config);
  if (el.dataset.boundary) {
    var layer = L.geoJSON(JSON.parse(el.dataset.boundary), { style: { color: "#206bc4", weight: 2, fillOpacity: 0.2 } }).addTo(map);
    map.fitBounds(layer.getBounds());
  } else {
    map.setView([config.center[1], config.center[0]], config.zoom);
    el.insertAdjacentHTML("beforeend", '<div class="position-absolute top-50 start-50 translate-middle text-secondary" style="z-index:500">尚未绘制边界</div>');
  }
})();
