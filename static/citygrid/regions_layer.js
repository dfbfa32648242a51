/* Region outlines loaded for the map's view from the regions map API (grids when zoomed in,
   coarser regions when zoomed out, always within the user's scope). Used by the grid map and,
   as quiet outlines under the markers, by every case map, so a position can be told apart
   without any base map (an intranet without tiles).

   options: fit (open on the user's territory: true, or a function asked when the first answer
   arrives, for maps that may have fitted to their own data meanwhile), fitMaxZoom, style,
   onEachFeature, interactive, onLoad(data), onError(error). Without style/onEachFeature the
   outlines are grey and sit below markers; their labels sit above the outlines and below
   markers (the panes made by CityGridBaseMaps). A failed load is silent unless onError is given. */
(function () {
  "use strict";
  function label(feature, l) {
    l.bindTooltip(feature.properties.name, { permanent: feature.properties.level !== "grid",
      direction: "center", className: "region-label", pane: "cg-labels" });
  }
  window.CityGridRegionsLayer = function (map, url, options) {
    options = options || {};
    var quiet = !options.style;
    if (quiet && !map.getPane("cg-regions")) {
      // Below the case markers, whatever the order the layers are added in.
      map.createPane("cg-regions").style.zIndex = 350;
    }
    var layer = L.geoJSON(null, {
      pane: quiet ? "cg-regions" : "overlayPane",
      interactive: !quiet || Boolean(options.interactive),
      style: options.style || { color: "#6c7a91", weight: 1, fillOpacity: 0.04 },
      onEachFeature: options.onEachFeature || label
    }).addTo(map);
    var pending = null, fitted = !options.fit;
    function load() {
      var b = map.getBounds();
      var params = new URLSearchParams({
        bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","),
        zoom: map.getZoom()
      });
      if (!fitted) { params.set("scope", "1"); }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url + "?" + params, { credentials: "same-origin", signal: pending.signal })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          layer.addData(data);
          if (!fitted) {
            fitted = true;
            var wanted = typeof options.fit === "function" ? options.fit() : true;
            var s = data.scope_bounds;
            var bounds = s ? L.latLngBounds([s[1], s[0]], [s[3], s[2]]) : layer.getBounds();
            if (wanted && bounds.isValid()) {
              map.fitBounds(bounds, { maxZoom: options.fitMaxZoom || 16 });
            }
          }
          if (options.onLoad) { options.onLoad(data); }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && options.onError) { options.onError(error); }
        });
    }
    map.on("moveend", load);
    load();
    return layer;
  };
})();
