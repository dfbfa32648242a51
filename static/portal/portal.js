/* Citizens' report form: searchable class list, position by map click or browser GPS (WGS-84). */
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  // A class matches when the typed words are in its names or common words ("坑" → 道路破损),
  // or one of those words is in what was typed ("路灯不亮了" → 路灯).
  function matches(terms, q) {
    if (terms.indexOf(q) >= 0) { return true; }
    return terms.split(" ").some(function (t) { return t.length >= 2 && q.indexOf(t) >= 0; });
  }
  if (select && window.TomSelect) {
    new TomSelect(select, {
      maxOptions: 500,
      placeholder: "输入关键字搜索，如：坑、垃圾、路灯不亮",
      lockOptgroupOrder: true,
      score: function (search) {
        var q = search.replace(/\s+/g, "");
        return function (item) {
          return !q || matches(item.text + " " + (item.search || ""), q) ? 1 : 0;
        };
      },
      render: { no_results: function () { return '<div class="no-results">没有找到相关类别，请换个说法或从列表中选择</div>'; } },
    });
  }
  var el = document.getElementById("portal-map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var lngInput = document.getElementById("id_lng");
  var latInput = document.getElementById("id_lat");
  var status = document.getElementById("position-status");
  var map = L.map(el);
  window.CityGridBaseMaps(map, config);
  var marker = null;

  function show(text, kind) {
    status.textContent = text;
    status.className = "small mt-1 text-" + kind;
  }
  function place(lng, lat, how) {
    if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.marker([lat, lng]).addTo(map); }
    lngInput.value = lng.toFixed(6);
    latInput.value = lat.toFixed(6);
    show("已选择位置（" + how + "）：" + lng.toFixed(5) + ", " + lat.toFixed(5), "green");
  }
  map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, "地图选点"); });
  var lng = parseFloat(lngInput.value), lat = parseFloat(latInput.value);
  if (!isNaN(lng) && !isNaN(lat)) {
    map.setView([lat, lng], 16);
    place(lng, lat, "已选");
  } else {
    map.setView([config.center[1], config.center[0]], config.zoom);
  }
  document.getElementById("use-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { show("您的浏览器不支持定位，请在地图上点选位置", "red"); return; }
    show("正在定位…", "secondary");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      map.setView([c.latitude, c.longitude], 17);
      place(c.longitude, c.latitude, "定位精度约 " + Math.round(c.accuracy) + " 米");
    }, function () {
      show("无法获取当前位置，请在地图上点选位置", "red");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  var photos = document.querySelector("[data-photo-picker]");
  photos.addEventListener("change", function () {
    var n = photos.files.length;
    document.querySelector("[data-photo-count]").textContent = n ? "已选 " + n + " 张" : "未选择照片";
  });
  document.getElementById("portal-report-form").addEventListener("submit", function () {
    // One click, one submit; the server also ignores a repeated token.
    document.getElementById("portal-submit").disabled = true;
  });
})();
