// Service worker of Reco, served at /sw.js (reco/core/offline.py). It keeps the visit pages the mediator
// opened, and the static files (style, scripts), so that a page opened or reloaded without network still
// shows its form, with the draft reco/static/drafts.js saved on the phone. Everything else goes to the network.
"use strict";

var CACHE = "reco-visit-pages-v1";
var ASSETS = ["/static/reco.css", "/static/reco.js", "/static/drafts.js"];
// The page of a visit and its report: the only pages kept, and only while the network answers them.
var VISIT_PAGE = /^\/visits\/\d+(\/report)?$/;
// Logging in or out forgets the pages kept: they belong to the person who opened them.
var SESSION_CHANGE = /^\/(login|logout)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS);
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== CACHE;
    }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return VISIT_PAGE.test(new URL(request.url).pathname);
      }).map(function (request) {
        return cache.delete(request);
      }));
    });
  });
}

// Network first; a good answer is kept, a refusal or a redirection forgets the page; no network: the copy kept.
function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      if (response.ok && response.type === "basic" && !response.redirected) {
        return cache.put(key, copy);
      }
      return cache.delete(key);
    });
    return response;
  }, function (error) {
    return caches.match(key).then(function (kept) {
      if (kept) {
        return kept;
      }
      throw error;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && SESSION_CHANGE.test(url.pathname)) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {  // style, scripts and icons: never anybody's data
    event.respondWith(networkFirst(request, url.pathname));
  } else if (request.mode === "navigate" && VISIT_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
