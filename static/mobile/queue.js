/* The grid app's outbox: reports, verifications and visit logs wait in IndexedDB (they survive
   closing the app) and are uploaded in order when the network is there. Every item carries the
   UUID it got when it was queued; the server answers a repeated key with the first result, so a
   retry after a lost answer never creates anything twice. */
(function () {
  "use strict";
  var DB_NAME = "citygrid-mobile";
  var OUTBOX = "outbox";
  var SENT = "sent";
  var SENT_KEEP = 30;
  var flushing = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(OUTBOX, { keyPath: "key" });
        db.createObjectStore(SENT, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run `work(store)` in one transaction; resolves with what work's request produced.
  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; an intranet server may be plain http.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function changed() { window.dispatchEvent(new CustomEvent("cg-queue-changed")); }

  function all(name) {
    return withStore(name, "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  function put(item) {
    return withStore(OUTBOX, "readwrite", function (s) { return s.put(item); });
  }

  function remove(key) {
    return withStore(OUTBOX, "readwrite", function (s) { return s.delete(key); }).then(changed);
  }

  function recordSent(item, result) {
    var row = { key: item.key, kind: item.kind, label: item.label, created: item.created,
                sent: new Date().toISOString(), result: result };
    return withStore(SENT, "readwrite", function (s) { return s.put(row); }).then(function () {
      return all(SENT);
    }).then(function (rows) {
      var old = rows.slice(0, Math.max(0, rows.length - SENT_KEEP));
      return withStore(SENT, "readwrite", function (s) {
        old.forEach(function (r) { s.delete(r.key); });
      });
    });
  }

  /* Queue an upload: fields (strings or arrays of strings) and files ([{field, blob, name}]).
     Resolves with the item's key. */
  function enqueue(kind, label, url, fields, files) {
    var item = { key: uuid(), kind: kind, label: label, url: url, fields: fields || {},
                 files: files || [], created: new Date().toISOString(), state: "pending",
                 error: "", attempts: 0 };
    return put(item).then(function () { changed(); return item.key; });
  }

  function send(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (name) {
      var value = item.fields[name];
      (Array.isArray(value) ? value : [value]).forEach(function (v) {
        if (v !== null && v !== undefined) body.append(name, v);
      });
    });
    item.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
    body.append("idempotency_key", item.key);
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    });
  }

  // One item: "sent", "failed" (the server refused it: kept, shown, not retried by itself)
  // or "stop" (no network or no session: try the rest later).
  function upload(item, results) {
    return send(item).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
      return (json ? response.json() : Promise.resolve(null)).then(function (data) {
        if (response.ok && data) {
          results[item.key] = data;
          return recordSent(item, data).then(function () { return remove(item.key); })
            .then(function () { return "sent"; });
        }
        item.attempts += 1;
        var stop = response.status >= 500 || response.status === 401 || !data;
        if (stop) {
          item.error = response.status === 401 || !data ? "登录已过期，请重新登录后自动上传"
            : "服务器暂时无法处理，稍后自动重试";
        } else {
          item.state = "failed";
          item.error = data.message || "提交被拒绝";
        }
        results[item.key] = { error: item.error, status: response.status };
        return put(item).then(function () { changed(); return stop ? "stop" : "failed"; });
      });
    }, function () {
      item.attempts += 1;
      item.error = "网络不可用，联网后自动上传";
      return put(item).then(function () { changed(); return "stop"; });
    });
  }

  /* Upload every pending item once, in order. Resolves with {key: server answer or error}. */
  function flush() {
    if (flushing) return flushing;
    var results = {};
    flushing = all(OUTBOX).then(function (items) {
      var pending = items.filter(function (i) { return i.state === "pending"; });
      var next = function (index) {
        if (index >= pending.length) return results;
        return upload(pending[index], results).then(function (outcome) {
          return outcome === "stop" ? results : next(index + 1);
        });
      };
      return next(0);
    }).finally(function () { flushing = null; });
    return flushing;
  }

  function retry(key) {
    return withStore(OUTBOX, "readonly", function (s) { return s.get(key); }).then(function (item) {
      if (!item) return null;
      item.state = "pending";
      item.error = "";
      return put(item).then(changed).then(flush);
    });
  }

  window.CityGridQueue = {
    enqueue: enqueue, flush: flush, retry: retry, remove: remove,
    pending: function () { return all(OUTBOX); }, sent: function () { return all(SENT); },
  };

  window.addEventListener("online", function () { flush(); });
  // On app open, and now and then while it is open (an "online" event can be missed).
  document.addEventListener("DOMContentLoaded", function () { flush(); });
  setInterval(function () { if (navigator.onLine) flush(); }, 30000);
})();
