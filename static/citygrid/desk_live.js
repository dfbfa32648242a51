/* New reports on an open desk (cases/views/desk.py: desk_feed): every few seconds ask for the
   cases of my to-do newer than the cursor and put their rows at the top of the table. With the
   alert switch on (remembered in this browser's localStorage), a short locally served sound
   plays and, if the browser allows it, a desktop notification names the new cases. */
(function () {
  "use strict";
  var live = document.getElementById("desk-live");
  var table = document.querySelector("#desk-table tbody");
  if (!live || !table) { return; }
  var KEY = "citygrid.desk.alerts";
  var toggle = document.getElementById("desk-alert-toggle");
  var banner = document.getElementById("desk-new-banner");
  var cursor = live.dataset.cursor;
  var seconds = Math.max(parseInt(live.dataset.interval, 10) || 20, 1);
  var arrived = 0;

  function alertsOn() { return window.localStorage.getItem(KEY) === "on"; }

  if (toggle) {
    toggle.checked = alertsOn();
    toggle.addEventListener("change", function () {
      window.localStorage.setItem(KEY, toggle.checked ? "on" : "off");
      if (toggle.checked && "Notification" in window && Notification.permission === "default") {
        Notification.requestPermission();
      }
    });
  }

  function announce(cases) {
    if (!alertsOn()) { return; }
    var sound = new Audio(live.dataset.soundUrl);
    var played = sound.play();
    if (played && played.catch) { played.catch(function () {}); }
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("新上报事件 " + cases.length + " 件", {
        body: cases.map(function (c) { return c.number + " " + c.summary; }).join("\n"),
        tag: "citygrid-desk"
      });
    }
  }

  function insert(cases) {
    var empty = table.querySelector("tr.desk-empty");
    if (empty) { empty.remove(); }
    cases.forEach(function (c) {
      if (table.querySelector('tr[data-case="' + c.number + '"]')) { return; }
      var holder = document.createElement("tbody");
      holder.innerHTML = c.html.trim();
      var row = holder.firstElementChild;
      row.classList.add("desk-new");
      var mark = document.createElement("span");
      mark.className = "badge bg-red text-red-fg ms-1";
      mark.textContent = "新";
      row.querySelector("td").appendChild(mark);
      table.insertBefore(row, table.firstElementChild);
    });
    document.dispatchEvent(new CustomEvent("citygrid:rows-added"));
    arrived += cases.length;
    var count = document.querySelector('[data-count="todo"]');
    if (count && /^\d+$/.test(count.textContent)) {
      count.textContent = String(parseInt(count.textContent, 10) + cases.length);
    }
    if (banner) {
      banner.textContent = "本页打开后新到 " + arrived + " 件事件，已置顶并标记“新”。";
      banner.hidden = false;
    }
  }

  function poll() {
    var params = new URLSearchParams(live.dataset.query || "");
    params.set("after", cursor);
    fetch(live.dataset.feedUrl + "?" + params, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        cursor = String(body.cursor);
        if (body.cases.length) {
          insert(body.cases);
          announce(body.cases);
        }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
