/* The grid app's pages: position, my grid, photo compression, forms that queue their uploads,
   the queue page, look-ups, task countdowns. Page data comes from <script type="application/json">
   blocks, so a page the service worker kept works offline. */
(function () {
  "use strict";
  var Q = window.CityGridQueue;
  var MAX_SIDE = 1600;
  var JPEG_QUALITY = 0.8;
  var KIND_LABELS = { report: "问题上报", verify: "事件核查", visit: "走访日志", patrol: "巡查任务",
    answer: "核查任务", own_patrol: "新建巡查任务" };

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function text(el, value) { if (el) el.textContent = value; }
  function escapeHtml(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- position and grids -------------------------------------------------------------------
  var position = null;
  var positionListeners = [];

  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(lng, lat, rings) {
    if (!inRing(lng, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(lng, lat, rings[k])) return false;
    return true;
  }
  function inBoundary(lng, lat, geometry) {
    if (!geometry) return false;
    if (geometry.type === "Polygon") return inPolygon(lng, lat, geometry.coordinates);
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (p) { return inPolygon(lng, lat, p); });
    }
    return false;
  }
  // My grid containing the point, or null; undefined when I have no grid (not a grid worker).
  function myGridAt(lng, lat) {
    var grids = data("my-grids") || [];
    if (!grids.length) return undefined;
    for (var i = 0; i < grids.length; i++) if (inBoundary(lng, lat, grids[i].boundary)) return grids[i];
    return null;
  }

  function showPosition() {
    var el = $("#position-status");
    if (!el) return;
    if (!position) return;
    var grid = myGridAt(position.lng, position.lat);
    var where = grid ? "，位于" + grid.name : grid === null ? "，不在您负责的网格内" : "";
    el.textContent = "已定位（精度约 " + Math.round(position.accuracy) + " 米）" + where;
    el.className = "small " + (grid === null ? "text-warning" : "text-success");
  }

  function watchPosition() {
    if (!navigator.geolocation) { text($("#position-status"), "此设备不支持定位"); return; }
    navigator.geolocation.watchPosition(function (p) {
      // The browser gives WGS-84, which is what the server expects (crs "wgs84").
      position = { lng: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy };
      showPosition();
      positionListeners.forEach(function (fn) { fn(position); });
    }, function (err) {
      text($("#position-status"), err.code === 1 ? "未获得定位权限，请在浏览器设置中允许定位"
        : "暂时无法定位，请到开阔处重试");
    }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 20000 });
  }

  // --- photos -------------------------------------------------------------------------------
  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { resolve({ img: img, url: url }); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("bad image")); };
      img.src = url;
    });
  }
  /* Shrink to at most MAX_SIDE px on the long side and re-encode as JPEG: a phone photo of
     several MB becomes a few hundred KB before it is queued or sent. */
  function compress(file) {
    return loadImage(file).then(function (loaded) {
      var img = loaded.img;
      var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(loaded.url);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob); }, "image/jpeg", JPEG_QUALITY);
      });
    });
  }

  function photoPicker(root) {
    var photos = [];
    var list = $("[data-photo-list]", root);
    var error = $("[data-photo-error]", root);
    function render() {
      list.innerHTML = "";
      photos.forEach(function (blob, index) {
        var item = document.createElement("div");
        item.className = "photo-thumb";
        var img = document.createElement("img");
        img.src = URL.createObjectURL(blob);
        img.alt = "照片" + (index + 1);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-sm btn-ghost-danger";
        drop.textContent = "移除";
        drop.addEventListener("click", function () { photos.splice(index, 1); render(); });
        item.appendChild(img);
        item.appendChild(drop);
        list.appendChild(item);
      });
      text($("[data-photo-count]", root), photos.length ? "已选 " + photos.length + " 张" : "");
    }
    $all("input[type=file]", root).forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files);
        text(error, "");
        Promise.all(files.map(function (f) {
          return compress(f).catch(function () { text(error, "无法读取所选图片，请换一张"); return null; });
        })).then(function (blobs) {
          blobs.forEach(function (b) { if (b && photos.length < 9) photos.push(b); });
          if (blobs.length + photos.length > 9) text(error, "照片最多 9 张");
          input.value = "";
          render();
        });
      });
    });
    return {
      files: function () {
        return photos.map(function (blob, i) { return { field: "photos", blob: blob, name: "photo" + (i + 1) + ".jpg" }; });
      },
      count: function () { return photos.length; },
      clear: function () { photos = []; render(); },
    };
  }

  // --- queued submissions -------------------------------------------------------------------
  function submitQueued(kind, label, url, fields, files, result) {
    return Q.enqueue(kind, label, url, fields, files).then(function (key) {
      result.className = "alert alert-info";
      result.textContent = "已保存到待上传队列。";
      result.hidden = false;
      return Q.flush().then(function (answers) {
        var answer = answers[key];
        if (answer && !answer.error) {
          result.className = "alert alert-success";
          result.textContent = kind === "report" ? "上报成功，案卷号 " + answer.number
            : kind === "verify" ? "核查已提交，事件状态：" + answer.state_label +
              (answer.next_step ? "。" + answer.next_step + "。" : "")
            : kind === "patrol" ? "巡查任务已完成" : "走访日志已提交";
        } else if (answer && answer.status && answer.status < 500 && answer.status !== 401) {
          result.className = "alert alert-danger";
          result.textContent = answer.error + "（已留在待上传队列，可修改后重新提交）";
        } else {
          result.className = "alert alert-warning";
          result.textContent = navigator.onLine ? "暂时无法连接服务器，已保存到待上传队列，稍后自动上传。"
            : "当前无网络，已保存到待上传队列，联网后自动上传。";
        }
        return answer;
      });
    });
  }

  // The typed words are in the class's names or common words ("坑" → 道路破损), or one of those
  // words is in what was typed ("路灯不亮了" → 路灯): the portal's search matches the same way.
  function matchesWords(terms, q) {
    q = q.replace(/\s+/g, "");
    if (terms.indexOf(q) >= 0) { return true; }
    return terms.split(" ").some(function (t) { return t.length >= 2 && q.indexOf(t) >= 0; });
  }

  function setupReport() {
    var form = $("#report-form");
    var categories = data("categories") || [];
    var select = $("#category");
    var search = $("#category-search");
    var picker = photoPicker(form);
    var result = $("#report-result");
    var warning = $("#outside-warning");
    var confirmedOutside = false;

    function fill() {
      var q = (search.value || "").trim();
      var current = select.value;
      select.innerHTML = "";
      categories.filter(function (c) {
        return !q || c.code.indexOf(q) === 0 || matchesWords(c.search, q);
      }).forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.id;
        option.textContent = c.name + "（" + c.parent + "）";
        option.selected = String(c.id) === current;
        select.appendChild(option);
      });
    }
    search.addEventListener("input", fill);
    fill();
    positionListeners.push(function () { confirmedOutside = false; warning.hidden = true; });
    $("#confirm-outside").addEventListener("click", function () {
      confirmedOutside = true;
      warning.hidden = true;
      form.requestSubmit();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = $("#report-error");
      text(error, "");
      if (!select.value) { text(error, "请选择问题类别"); return; }
      var description = $("#description").value.trim();
      if (!description) { text(error, "请填写问题描述"); return; }
      if (!position) { text(error, "尚未获得定位，请稍候或到开阔处重试"); return; }
      if (myGridAt(position.lng, position.lat) === null && !confirmedOutside) {
        warning.hidden = false;
        return;
      }
      var option = select.options[select.selectedIndex];
      var fields = {
        category: select.value, description: description, lng: String(position.lng),
        lat: String(position.lat), accuracy: String(Math.round(position.accuracy)),
        address: $("#address").value.trim(),
      };
      var label = option.textContent + "：" + description.slice(0, 20);
      var button = $("button[type=submit]", form);
      button.disabled = true;
      submitQueued("report", label, form.dataset.url, fields, picker.files(), result)
        .finally(function () {
          button.disabled = false;
          form.reset();
          picker.clear();
          confirmedOutside = false;
          fill();
        });
    });
  }

  function setupVerify() {
    var form = $("#verify-form");
    if (!form) return;
    var picker = photoPicker(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = $("#verify-error");
      var passed = $("input[name=passed]:checked", form);
      text(error, "");
      if (!passed) { text(error, "请选择核查结果"); return; }
      var note = $("#note").value.trim();
      if (passed.value === "0" && !note) { text(error, "核查不通过时请填写原因"); return; }
      $("button[type=submit]", form).disabled = true;
      submitQueued("verify", form.dataset.label + (passed.value === "1" ? " 通过" : " 不通过"),
        form.dataset.url, { passed: passed.value, note: note }, picker.files(), $("#verify-result"));
    });
  }

  // The dispute form posts itself (dispute_form.js); here it gets the phone's position and,
  // for a worker of several grids who has not picked one, the grid the phone stands in.
  function setupDispute() {
    var grid = $("#id_grid");
    var picked = grid && grid.value !== "";
    if (grid) grid.addEventListener("change", function () { picked = true; });
    positionListeners.push(function (p) {
      $("#id_lng").value = String(p.lng);
      $("#id_lat").value = String(p.lat);
      var mine = myGridAt(p.lng, p.lat);
      if (grid && !picked && mine) grid.value = String(mine.id);
    });
  }

  function localIso(d) {
    var offset = -d.getTimezoneOffset();
    var pad = function (n) { return String(Math.floor(Math.abs(n))).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (offset >= 0 ? "+" : "-") + pad(offset / 60) + ":" + pad(offset % 60);
  }

  function setupVisit() {
    var form = $("#visit-form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = $("#visit-error");
      text(error, "");
      var target = $("#target").value.trim();
      var findings = $("#findings").value.trim();
      if (!target) { text(error, "请填写走访对象"); return; }
      if (!findings) { text(error, "请填写走访情况"); return; }
      // The time it was written, not the time it reaches the server after a day offline.
      var fields = { target: target, findings: findings, visited_at: localIso(new Date()),
                     place: $("#place").value.trim(), next_visit: $("#next_visit").value };
      if (position) { fields.lng = String(position.lng); fields.lat = String(position.lat); }
      submitQueued("visit", "走访：" + target, form.dataset.url, fields, [], $("#visit-result"))
        .finally(function () { form.reset(); });
    });
  }

  function setupPatrol() {
    var form = $("#patrol-form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var result = $("#patrol-result-text").value.trim();
      text($("#patrol-error"), result ? "" : "请填写巡查情况");
      if (!result) return;
      submitQueued("patrol", "巡查：" + form.dataset.title, form.dataset.url, { result: result }, [],
        $("#patrol-result"));
    });
  }

  // --- queue page ---------------------------------------------------------------------------
  function renderQueue() {
    var list = $("#queue-list");
    var sent = $("#sent-list");
    if (!list) return;
    Q.pending().then(function (items) {
      text($("#queue-empty"), items.length ? "" : "没有待上传的内容。");
      list.innerHTML = items.map(function (item) {
        var failed = item.state === "failed";
        return '<div class="list-group-item queue-item" data-key="' + escapeHtml(item.key) + '">' +
          '<div class="d-flex justify-content-between"><strong>' + escapeHtml(KIND_LABELS[item.kind] || item.kind) +
          '</strong><span class="badge ' + (failed ? "bg-red-lt" : "bg-yellow-lt") + '">' +
          (failed ? "被退回" : "待上传") + "</span></div>" +
          '<div class="small">' + escapeHtml(item.label) + "</div>" +
          '<div class="small text-secondary">' + escapeHtml(new Date(item.created).toLocaleString("zh-CN")) +
          (item.files.length ? " · 照片 " + item.files.length + " 张" : "") + "</div>" +
          (item.error ? '<div class="small text-danger">' + escapeHtml(item.error) + "</div>" : "") +
          (failed ? '<div class="mt-1"><button class="btn btn-sm" data-retry>重新提交</button> ' +
            '<button class="btn btn-sm btn-ghost-danger" data-remove>删除</button></div>' : "") +
          "</div>";
      }).join("");
    });
    Q.sent().then(function (rows) {
      sent.innerHTML = rows.reverse().map(function (row) {
        var r = row.result || {};
        return '<div class="list-group-item small"><strong>' + escapeHtml(KIND_LABELS[row.kind] || row.kind) +
          "</strong> " + escapeHtml(row.label) + (r.number ? " · 案卷号 " + escapeHtml(r.number) : "") +
          '<div class="text-secondary">' + escapeHtml(new Date(row.sent).toLocaleString("zh-CN")) + " 已上传</div></div>";
      }).join("");
    });
  }

  function setupQueue() {
    renderQueue();
    window.addEventListener("cg-queue-changed", renderQueue);
    $("#queue-flush").addEventListener("click", function () { Q.flush().then(renderQueue); });
    $("#queue-list").addEventListener("click", function (event) {
      var row = event.target.closest("[data-key]");
      if (!row) return;
      if (event.target.hasAttribute("data-retry")) Q.retry(row.dataset.key);
      if (event.target.hasAttribute("data-remove") && window.confirm("删除后这条内容将不会上传，确定删除？")) {
        Q.remove(row.dataset.key);
      }
    });
  }

  // --- look-ups -----------------------------------------------------------------------------
  function setupLookup() {
    $all("form[data-lookup]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var out = $(form.dataset.target);
        if (!navigator.onLine) { out.innerHTML = '<div class="text-warning">查询需要联网。</div>'; return; }
        var body = new FormData(form);
        fetch(form.dataset.url, { method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") } })
          .then(function (r) { return r.json(); })
          .then(function (answer) {
            if (!answer.results) { out.innerHTML = '<div class="text-danger">' + escapeHtml(answer.message) + "</div>"; return; }
            if (!answer.results.length) { out.innerHTML = '<div class="text-secondary">没有找到。</div>'; return; }
            out.innerHTML = answer.results.map(function (row) {
              return '<div class="list-group-item lookup-row">' + (form.dataset.lookup === "people"
                ? "<strong>" + escapeHtml(row.name) + "</strong> " + escapeHtml(row.sex) + " " +
                  (row.age === null ? "" : row.age + "岁 ") + escapeHtml(row.residence_type) +
                  '<div class="small text-secondary">证件 ' + escapeHtml(row.id_number) + " · 电话 " +
                  escapeHtml(row.phone || "无") + "</div><div class=\"small\">" + escapeHtml(row.address) + "</div>"
                : "<strong>" + escapeHtml(row.address) + "</strong> " + escapeHtml(row.occupancy) +
                  '<div class="small text-secondary">编号 ' + escapeHtml(row.code) + " · 产权人 " +
                  escapeHtml(row.owner_name || "无") + " " + escapeHtml(row.owner_phone) + "</div>") + "</div>";
            }).join("");
          })
          .catch(function () { out.innerHTML = '<div class="text-warning">网络不可用，请稍后再查。</div>'; });
      });
    });
  }

  // --- home: map and countdowns -------------------------------------------------------------
  function setupMap() {
    var el = $("#grid-map");
    if (!el || !window.L) return;
    var map = L.map(el, { zoomControl: true });
    if (window.CityGridBaseMaps) window.CityGridBaseMaps(map, data("map-config") || {});
    var grids = data("my-grids") || [];
    var layer = L.geoJSON(grids.filter(function (g) { return g.boundary; }).map(function (g) {
      return { type: "Feature", geometry: g.boundary, properties: { name: g.name } };
    }), { style: { color: "#206bc4", weight: 2, fillOpacity: 0.08 },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); } }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    else map.setView([30, 120], 12);
    var marker = null;
    var circle = null;
    positionListeners.push(function (p) {
      var latlng = [p.lat, p.lng];
      if (!marker) {
        circle = L.circle(latlng, { radius: p.accuracy, weight: 1, color: "#f76707" }).addTo(map);
        marker = L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: "#f76707", fillOpacity: 1 })
          .bindTooltip("我的位置").addTo(map);
      } else {
        marker.setLatLng(latlng);
        circle.setLatLng(latlng).setRadius(p.accuracy);
      }
    });
  }

  function countdowns() {
    var now = Date.now();
    $all("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var hours = Math.floor(Math.abs(left) / 3600000);
      var minutes = Math.floor((Math.abs(left) % 3600000) / 60000);
      var span = (hours >= 24 ? Math.floor(hours / 24) + " 天 " + (hours % 24) + " 小时"
        : hours + " 小时 " + minutes + " 分");
      el.textContent = left >= 0 ? "剩余 " + span : "已超时 " + span;
      el.className = "badge " + (left < 0 ? "bg-red-lt" : left < 4 * 3600000 ? "bg-yellow-lt" : "bg-green-lt");
    });
  }

  // --- every page ---------------------------------------------------------------------------
  function status() {
    var badge = $("#net-status");
    if (badge) {
      badge.textContent = navigator.onLine ? "在线" : "离线";
      badge.className = "badge " + (navigator.onLine ? "bg-green-lt" : "bg-red-lt");
    }
    Q.pending().then(function (items) {
      var count = $("#queue-count");
      if (count) { count.textContent = items.length; count.hidden = items.length === 0; }
    });
  }

  function registerWorker() {
    var url = document.body.dataset.sw;
    if (!("serviceWorker" in navigator) || !url) return;
    navigator.serviceWorker.register(url, { scope: document.body.dataset.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // Verification pages of my tasks, so they open on site without a network.
      var extra = data("offline-pages");
      if (extra && extra.length && reg.active) reg.active.postMessage({ type: "cache", urls: extra });
    }).catch(function () { /* the app works online without it */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.dataset.page;
    registerWorker();
    status();
    window.addEventListener("online", status);
    window.addEventListener("offline", status);
    window.addEventListener("cg-queue-changed", status);
    if (page === "home") { setupMap(); countdowns(); setInterval(countdowns, 30000); }
    if (page === "home" || page === "report" || page === "visit" || page === "dispute") watchPosition();
    if (page === "dispute" && $("#dispute-form")) setupDispute();
    if (page === "report") setupReport();
    if (page === "verify") setupVerify();
    if (page === "visit") setupVisit();
    if (page === "patrol") setupPatrol();
    if (page === "queue") setupQueue();
    if (page === "lookup") setupLookup();
  });
})();
