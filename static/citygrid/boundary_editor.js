/* Draw or edit a boundary with Leaflet-Geoman; the GeoJSON goes into the form's textarea. */
(function () {
  "use strict";
  var el = document.getElementById("boundary-editor");
  var input = document.querySelector("[data-boundary-input]");
  if (!el || !input) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map(el).setView([config.center[1], config.center[0]], config.zoom);
  window.CityGridBaseMaps(map, config);
  var drawn = L.featureGroup().addTo(map);
  function load() {
    drawn.clearLayers();
    var text = input.value.trim();
    if (!text || text[0] !== "{") { return; }
    try {
      L.geoJSON(JSON.parse(text)).eachLayer(function (l) { drawn.addLayer(l); });
      map.fitBounds(drawn.getBounds());
    } catch (e) { /* WKT or invalid text is validated by the server */ }
  }
  function save() {
    var geoms = [];
    drawn.eachLayer(function (l) { geoms.push(l.toGeoJSON().geometry); });
    if (geoms.length === 0) { input.value = ""; return; }
    input.value = JSON.stringify(geoms.length === 1 ? geoms[0] :
      { type: "MultiPolygon", coordinates: geoms.map(function (g) { return g.coordinates; }) });
  }
  map.pm.setLang("zh");
  map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false,
    drawPolyline: false, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false });
  map.on("pm:create", function (e) { drawn.addLayer(e.layer); e.layer.on("pm:edit", save); save(); });
  map.on("pm:remove", function (e) { drawn.removeLayer(e.layer); save(); });
  drawn.on("layeradd", function (e) { e.layer.on("pm:edit", save); });
  input.addEventListener("change", load);
  load();
})();
