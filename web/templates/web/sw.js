// The service worker: keeps the report form's shell and the region list on the phone so that
// /lapor/ opens with no signal once it has been opened once. It keeps no page that carries
// personal data (cases, reports, the inbox): with no signal those get the offline page. Reports
// never pass through here; they wait in IndexedDB (queue.js) and go to the API when online.
"use strict";
var VERSION = "{{ version|escapejs }}";
var CACHE = "ppks-shell-" + VERSION;
var SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{{ regions|escapejs }}"];
var REPORT = "{{ report|escapejs }}";
var OFFLINE = "{{ offline|escapejs }}";
var STATIC = "{{ static_prefix|escapejs }}";
var KEPT_PAGES = [REPORT, OFFLINE];

// A page is kept only if it is the page itself: a signed-out visit is redirected to /masuk/,
// and that answer must not be kept under /lapor/.
function keepPage(cache, path) {
  return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    if (response.type === "basic" && response.ok) { return cache.put(path, response); }
    return cache.delete(path);  // signed out (a redirect to /masuk/), or not the page at all
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("ppks-shell-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The kept pages name the person signed in. Each page of the app tells the worker who that
// is: the pages are kept again for someone else, and forgotten for no one. The queue in
// IndexedDB is not touched either way.
var KEPT_FOR = "/sw-kept-for";
function keepPagesFor(user) {
  return caches.open(CACHE).then(function (cache) {
    if (!user) {
      return Promise.all(KEPT_PAGES.concat([KEPT_FOR]).map(function (key) { return cache.delete(key); }));
    }
    return Promise.all([cache.match(KEPT_FOR), cache.match(REPORT)]).then(function (found) {
      var keptFor = found[0] ? found[0].text() : Promise.resolve("");
      return keptFor.then(function (who) {
        if (who === user && found[1]) { return; }
        return Promise.all(KEPT_PAGES.map(function (path) { return keepPage(cache, path); }))
          .then(function () { return cache.put(KEPT_FOR, new Response(user)); });
      });
    });
  });
}
// One message at a time: a sign-out must not be overtaken by the keeping of a page it forgets.
var told = Promise.resolve();
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "signed-in-as") {
    told = told.then(function () { return keepPagesFor(event.data.user || ""); })
      .catch(function () {});
    event.waitUntil(told);
  }
});

// From the cache at once, refreshed from the network behind it for the next time.
function staleWhileRevalidate(event, key) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key).then(function (kept) {
      var fresh = fetch(event.request).then(function (response) {
        // A navigation follows no redirect itself: a signed-out visit is an "opaqueredirect".
        var moved = response.redirected || response.type === "opaqueredirect";
        if (response.ok && !moved) { cache.put(key, response.clone()); }
        else if (moved && key === REPORT) { cache.delete(key); }
        return response;
      });
      if (kept) {
        event.waitUntil(fresh.catch(function () {}));
        return kept;
      }
      return fresh.catch(function () { return cache.match(OFFLINE); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf(STATIC) === 0 || url.pathname === SHELL[SHELL.length - 1]) {
    event.respondWith(staleWhileRevalidate(event, url.pathname));
    return;
  }
  if (request.mode !== "navigate") { return; }
  if (url.pathname === REPORT && !url.search) {
    event.respondWith(staleWhileRevalidate(event, REPORT));
    return;
  }
  // Every other page comes from the server; with no signal, the offline page.
  event.respondWith(fetch(request).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); });
  }));
});
