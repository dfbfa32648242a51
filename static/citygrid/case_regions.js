/* Grid outlines under case maps, so a position can be told apart without any base map (an
   intranet without tiles). Loaded for the view from the regions map API; silently absent when
   the user may not read regions. */
(function () {
  "use strict";
  window.CityGridRegionsLayer = function (map, url, options) {
    // Below the case markers, whatever the order the layers are added in.
    if (!map.getPane("cg-regions")) { map.createPane("cg-regions").style.zIndex = 350; }
    var layer = L.geoJSON(null, {
      pane: "cg-regions",
      interactive: false,
      style: { color: "#6c7a91", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (feature, l) {
        l.bindTooltip(feature.properties.name, { permanent: feature.properties.level !== "grid",
          direction: "center", className: "region-label" });
      }
    }).addTo(map);
    var pending = null, fitted = !(options && options.fit);
    function load() {
      var b = map.getBounds();
      var params = new URLSearchParams({
        bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","),
        zoom: map.getZoom()
      });
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url + "?" + params, { credentials: "same-origin", signal: pending.signal })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          layer.addData(data);
          if (!fitted && data.features.length) {
            fitted = true;
            map.fitBounds(layer.getBounds(), { maxZoom: 16 });
          }
        })
        .catch(function () { /* outlines are a convenience */ });
    }
    map.on("moveend", load);
    load();
    return layer;
  };
})();
