/* The grid app's service worker (served at /m/sw.js with self.CITYGRID_SHELL prepended):
   keeps the app shell so the app opens without a network. Pages: network first, the kept copy
   when offline. Assets: the kept copy first. The JSON API is never cached — uploads go through
   the IndexedDB queue in the page. */
"use strict";
var SHELL = self.CITYGRID_SHELL;
var CACHE = "citygrid-mobile-" + SHELL.version;
var SCOPE = new URL(self.registration.scope).pathname;
var API = SCOPE + "api/";

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    // A page that answered with the login form is not the page; never keep it.
    if (response.ok && !response.redirected) return cache.put(url, response);
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.assets).then(function () {
      return Promise.all(SHELL.pages.map(function (url) { return keep(cache, url); }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("citygrid-mobile-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  if (msg.type === "cache" && Array.isArray(msg.urls)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(msg.urls.filter(function (u) { return u.indexOf(SCOPE) === 0; })
        .map(function (u) { return keep(cache, u); }));
    }));
  }
});

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreSearch: true }).then(function (hit) {
        return hit || cache.match(SHELL.offline);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf(API) === 0) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(page(request));
    return;
  }
  if (SHELL.assets.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
