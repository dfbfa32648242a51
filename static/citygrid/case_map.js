/* The command-centre map: open cases in view, coloured by state, a red ring when overdue. */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var status = document.getElementById("map-status");
  var map = L.map(el).setView([config.center[1], config.center[0]], config.zoom);
  var baseLayers = window.CityGridBaseMaps(map, config);
  var overlays = {};
  var fittedToCases = false;
  if (el.dataset.regionsUrl && window.CityGridRegionsLayer) {
    // Open on the user's territory, unless the cases have already set the view.
    overlays["区域网格"] = window.CityGridRegionsLayer(map, el.dataset.regionsUrl,
      { fit: function () { return !fittedToCases; } });
  }
  var cases = L.layerGroup().addTo(map);
  overlays["事件"] = cases;
  L.control.layers(baseLayers, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  function marker(feature) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var m = L.circleMarker([c[1], c[0]], {
      pane: "cg-markers", radius: 7, fillColor: p.colour, fillOpacity: 0.9,
      color: p.overdue ? "#d63939" : "#ffffff", weight: p.overdue ? 4 : 1
    });
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.number;
    popup.appendChild(link);
    popup.appendChild(document.createTextNode(" " + p.state_label + (p.overdue ? "（超期）" : "")));
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(p.category + (p.address ? " · " + p.address : "")));
    m.bindPopup(popup);
    return m;
  }
  var pending = null, first = true;
  function load() {
    var b = map.getBounds();
    var params = new URLSearchParams({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",")
    });
    if (first) { params.delete("bbox"); }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(el.dataset.featuresUrl + "?" + params, { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        cases.clearLayers();
        var layers = data.features.map(marker);
        layers.forEach(function (m) { m.addTo(cases); });
        var overdue = data.features.filter(function (f) { return f.properties.overdue; }).length;
        el.dataset.count = data.features.length;
        status.textContent = "显示 " + data.features.length + " 件未办结事件，其中超期 " + overdue + " 件" +
          (data.truncated ? "（已截断，请放大地图）" : "");
        if (first && layers.length) {
          first = false;
          fittedToCases = true;
          map.fitBounds(L.featureGroup(layers).getBounds().pad(0.1), { maxZoom: 16 });
        }
        first = false;
      }).catch(function (err) { if (err.name !== "AbortError") { status.textContent = "地图数据加载失败"; } });
  }
  map.on("moveend", load);
  load();
})();
