/* The social units map: one layer per unit class, each toggled in the layer control and
   loaded by bbox and zoom from the units map API (in the user's scope, nothing below the
   API's min zoom, so a city's units never flood the map); grid outlines underneath. */
(function () {
  "use strict";
  var el = document.getElementById("unit-map");
  if (!el) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var classes = JSON.parse(document.getElementById("unit-layers").textContent);
  var status = document.getElementById("map-status");
  var minZoom = Number(el.dataset.minZoom);
  var map = L.map(el).setView([config.center[1], config.center[0]], config.zoom);
  var baseLayers = window.CityGridBaseMaps(map, config);
  window.CityGridRegionsLayer(map, el.dataset.featuresUrl, {
    fit: true,
    fitMaxZoom: 17,
    onLoad: function (data) { el.dataset.regionCount = data.features.length; }
  });
  var overlays = {};
  classes.forEach(function (c) {
    var url = el.dataset.pointsUrl + "?unit_class=" + encodeURIComponent(c.code);
    var layer = window.CityGridPointsLayer(map, url, { colour: c.colour, radius: 6, countKey: "n_" + c.code });
    var swatch = '<span class="badge me-1" style="background:' + c.colour + '">&nbsp;</span>';
    overlays[swatch + c.label] = layer;
    layer.addTo(map);
  });
  L.control.layers(baseLayers, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  function hint() {
    status.textContent = map.getZoom() < minZoom ? "放大到 " + minZoom + " 级以上显示单位" : "";
  }
  map.on("zoomend", hint);
  hint();
  window.cityGridUnitMap = map;
})();
