/* The grid map: features of the user's scope, one per coarser region when zoomed out,
   coloured by parent; clicking a region shows its photo, introduction and service team. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var status = document.getElementById("map-status");
  var map = L.map(el, { preferCanvas: false }).setView([config.center[1], config.center[0]], config.zoom);
  var baseLayers = window.CityGridBaseMaps(map, config);

  var palette = ["#206bc4", "#2fb344", "#f76707", "#ae3ec9", "#d63939", "#0ca678", "#f59f00",
    "#4263eb", "#74b816", "#e64980", "#17a2b8", "#6f42c1"];
  function colour(key) {
    var h = 0, s = String(key);
    for (var i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) >>> 0; }
    return palette[h % palette.length];
  }
  function style(feature) {
    var c = colour(feature.properties.parent_id || feature.properties.id);
    return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.25 };
  }
  function bind(feature, layer) {
    // Coarse regions are few: label them; grids are many: name them on hover only.
    if (feature.properties.level === "grid") {
      layer.bindTooltip(feature.properties.name, { sticky: true });
    } else {
      layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center",
        className: "region-label", pane: "cg-labels" });
    }
    layer.on("click", function (e) {
      var url = el.dataset.cardUrl.replace("/0/", "/" + feature.properties.id + "/");
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.text();
      }).then(function (html) {
        L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(html).openOn(map);
      }).catch(function () {
        L.popup().setLatLng(e.latlng).setContent("无法加载该区域信息").openOn(map);
      });
    });
  }
  var regions = window.CityGridRegionsLayer(map, el.dataset.featuresUrl, {
    fit: true,
    fitMaxZoom: 17,
    style: style,
    onEachFeature: bind,
    onLoad: function (data) {
      el.dataset.level = data.level;
      el.dataset.count = data.features.length;
      status.textContent = "显示 " + data.features.length + " 个" + levelLabel(data.level) +
        (data.truncated ? "（已截断，请放大地图）" : "");
    },
    onError: function () { status.textContent = "地图数据加载失败"; }
  });
  var overlays = { "区域网格": regions };
  // Estates and buildings, for roles that may see them: points once zoomed in (the API says
  // from which zoom), named on hover so they never hide one another.
  [["estatesUrl", "小区", "#ae3ec9", 7], ["buildingsUrl", "楼栋", "#f76707", 5]].forEach(function (spec) {
    if (el.dataset[spec[0]]) {
      overlays[spec[1]] = window.CityGridPointsLayer(map, el.dataset[spec[0]],
        { colour: spec[2], radius: spec[3], countKey: spec[0].replace("Url", "Count") });
    }
  });
  L.control.layers(baseLayers, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  function levelLabel(level) {
    return { county: "区县", township: "街道/乡镇", community: "社区/村", grid: "网格" }[level] || "区域";
  }
  window.cityGridMap = map;
})();
