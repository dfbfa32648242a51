/* Points of a kind of record (estates, buildings, units of a class) from a map API that answers GeoJSON points
   for a bbox and zoom, and nothing below its `min_zoom`. Loaded only while the layer is shown;
   each point is named on hover and links to its record on click. `url` may carry its own
   query (a layer per class: `...?unit_class=hotel`). */
(function () {
  "use strict";
  window.CityGridPointsLayer = function (map, url, options) {
    options = options || {};
    var layer = L.layerGroup();
    var pending = null;
    function marker(feature) {
      var c = feature.geometry.coordinates;
      var m = L.circleMarker([c[1], c[0]], {
        pane: "cg-markers", radius: options.radius || 6, color: "#ffffff", weight: 1.5,
        fillColor: options.colour || "#206bc4", fillOpacity: 0.9
      });
      m.bindTooltip(feature.properties.name, { direction: "top", offset: [0, -6] });
      if (feature.properties.url) {
        m.on("click", function () { window.location.href = feature.properties.url; });
      }
      return m;
    }
    function load() {
      if (!map.hasLayer(layer)) { return; }
      var b = map.getBounds();
      var params = new URLSearchParams({
        bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","),
        zoom: map.getZoom()
      });
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + params, { credentials: "same-origin", signal: pending.signal })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          data.features.forEach(function (f) { marker(f).addTo(layer); });
          map.getContainer().dataset[options.countKey || "points"] = data.features.length;
        })
        .catch(function () { /* the layer stays as it was; the map is still usable */ });
    }
    map.on("moveend", load);
    layer.on("add", load);
    return layer;
  };
})();
