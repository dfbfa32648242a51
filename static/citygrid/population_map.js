/* 人员地图: persons of one category counted per region (zoomed out) or per house (zoomed in),
   and, for special-group members, a trail drawn as a numbered polyline. The server sends counts
   and positions only — never names or ID numbers (a trail's person comes with a masked name). */
(function () {
  "use strict";
  var el = document.getElementById("population-map");
  if (!el) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var status = document.getElementById("map-status");
  var freshness = document.getElementById("map-freshness");
  var category = document.getElementById("map-category");
  var trailPerson = el.dataset.trailPerson || "";
  var map = L.map(el).setView([config.center[1], config.center[0]], config.zoom);
  var baseLayers = window.CityGridBaseMaps(map, config);
  var overlays = {};
  if (window.CityGridRegionsLayer) {
    // Start on the user's territory unless a trail was asked for (it fits itself).
    overlays["区域网格"] = window.CityGridRegionsLayer(map, el.dataset.regionsUrl,
      { fit: !trailPerson, fitMaxZoom: 14 });
  }
  var counts = L.layerGroup().addTo(map);
  var trailLayer = L.layerGroup().addTo(map);
  overlays["人数"] = counts;
  overlays["轨迹"] = trailLayer;
  L.control.layers(baseLayers, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  function badge(text, size, colour) {
    return L.divIcon({
      className: "",
      iconSize: [size, size],
      html: '<div style="width:' + size + "px;height:" + size + "px;line-height:" + size +
        "px;border-radius:50%;background:" + colour + ";color:#fff;text-align:center;" +
        'font-weight:600;font-size:12px;border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.4)">' +
        text + "</div>"
    });
  }
  // Leaflet sets a string tooltip as HTML: names from the database go in as text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  function sizeFor(n) { return Math.min(56, 22 + Math.round(Math.log(n + 1) * 5)); }

  function regionMarker(item) {
    var m = L.marker([item.lat, item.lng], { icon: badge(String(item.count), sizeFor(item.count), "#206bc4") });
    m.bindTooltip(text(item.name + "：" + item.count + " 人"));
    m.on("click", function () { map.setView([item.lat, item.lng], map.getZoom() + 2); });
    return m;
  }
  function houseMarker(item) {
    var m = L.marker([item.lat, item.lng], { icon: badge(String(item.count), sizeFor(item.count), "#d63939") });
    var popup = document.createElement("div");
    popup.appendChild(document.createTextNode("该房屋 " + item.count + " 人 "));
    if (item.url) {
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = "查看房屋";
      popup.appendChild(link);
    }
    m.bindPopup(popup);
    return m;
  }

  function bboxParam() {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
  }
  var pending = null;
  function load() {
    var params = new URLSearchParams({ bbox: bboxParam(), zoom: map.getZoom(), category: category.value });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(el.dataset.dataUrl + "?" + params, { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        counts.clearLayers();
        var houses = data.mode === "houses";
        data.items.forEach(function (item) { (houses ? houseMarker(item) : regionMarker(item)).addTo(counts); });
        el.dataset.mode = data.mode;
        freshness.textContent = data.freshness || "";
        el.dataset.count = data.items.length;
        status.textContent = "视野内 " + data.total + " 人，" + (houses ? "按房屋显示 " + data.items.length + " 处" :
          "按" + levelLabel(data.level) + "汇总 " + data.items.length + " 个") +
          (houses ? "" : "（放大到 " + config.point_min_zoom + " 级查看房屋）");
      })
      .catch(function (err) { if (err.name !== "AbortError") { status.textContent = "地图数据加载失败"; } });
  }
  function levelLabel(level) {
    return { city: "市", county: "区县", township: "街道/乡镇", community: "社区/村", grid: "网格" }[level] || "区域";
  }
  map.on("moveend", load);
  category.addEventListener("change", load);
  load();

  // --- trails ---------------------------------------------------------------------------------
  if (!el.dataset.trailUrl) { return; }
  var select = document.getElementById("trail-person");
  function loadCandidates() {
    var params = new URLSearchParams({ bbox: bboxParam() });
    fetch(el.dataset.candidatesUrl + "?" + params, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var chosen = select.value || trailPerson;
        while (select.options.length > 1) { select.remove(1); }
        data.items.forEach(function (p) {
          var option = new Option(p.name + "（" + p.kinds.join("、") + "）", String(p.id));
          select.add(option);
        });
        if (chosen && !Array.prototype.some.call(select.options, function (o) { return o.value === chosen; })) {
          select.add(new Option("已选人员", chosen));
        }
        select.value = chosen;
        select.options[0].textContent = data.truncated ? "视野过大，请放大地图后选择…" : "选择当前视野内的人员…";
      }).catch(function () {});
  }
  function numbered(seq) { return badge(String(seq), 22, "#f76707"); }
  function showTrail(pk) {
    if (!pk) { return; }
    var params = new URLSearchParams({
      start: document.getElementById("trail-start").value,
      end: document.getElementById("trail-end").value
    });
    fetch(el.dataset.trailUrl.replace("/0/", "/" + pk + "/") + "?" + params, { credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { throw new Error(body.message || (r.status === 404 ? "人员不存在或不在您的管辖范围内" : "无法查看该人员的轨迹")); }
          return body;
        });
      })
      .then(function (data) {
        trailLayer.clearLayers();
        var latlngs = data.points.map(function (p) { return [p.lat, p.lng]; });
        if (latlngs.length > 1) { L.polyline(latlngs, { color: "#f76707", weight: 3 }).addTo(trailLayer); }
        data.points.forEach(function (p) {
          L.marker([p.lat, p.lng], { icon: numbered(p.seq) })
            .bindTooltip(text(p.seq + ". " + p.time + " " + p.source_label)).addTo(trailLayer);
        });
        status.textContent = data.name + " " + data.start + " 至 " + data.end + " 行踪轨迹 " + data.points.length + " 个点";
        el.dataset.trailPoints = data.points.length;
        if (latlngs.length) { map.fitBounds(L.latLngBounds(latlngs).pad(0.2), { maxZoom: 16 }); }
      })
      .catch(function (err) { status.textContent = err.message; });
  }
  document.getElementById("trail-show").addEventListener("click", function () { showTrail(select.value); });
  document.getElementById("trail-clear").addEventListener("click", function () { trailLayer.clearLayers(); });
  map.on("moveend", loadCandidates);
  loadCandidates();
  if (trailPerson) { showTrail(trailPerson); }
})();
