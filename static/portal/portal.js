/* Citizens' report form: searchable class list, position by map click or browser GPS (WGS-84). */
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  if (select && window.TomSelect) {
    new TomSelect(select, { maxOptions: 500, placeholder: "输入关键字搜索问题类别" });
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
  document.getElementById("portal-report-form").addEventListener("submit", function () {
    // One click, one submit; the server also ignores a repeated token.
    document.getElementById("portal-submit").disabled = true;
  });
})();
