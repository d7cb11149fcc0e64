// The phone's outbox: a report is kept in IndexedDB from the moment the volunteer presses
// "Kirim laporan" until the server has it, with the Idempotency-Key it got then. It goes to the
// API (the case, then each photo, each with its own key), so a retry after a lost answer files
// nothing twice. A refusal (4xx) waits for the volunteer to fix it and is never resent blindly;
// a lapsed session keeps everything until the same person signs in again. Once filed, a report
// is kept a few days as "sent" (its reference and the warnings to check), without its photos.
(function () {
  "use strict";
  var body = document.body;
  var textElement = document.getElementById("ppks-text");
  var TEXT = textElement ? JSON.parse(textElement.textContent) : {};
  var USER = body.getAttribute("data-user") || "";
  var CASES = body.getAttribute("data-api-cases") || "/api/v1/cases/";
  var ME = body.getAttribute("data-api-me") || "/api/v1/me/";
  var SIGN_IN = body.getAttribute("data-sign-in") || "/masuk/";
  var REPORT = body.getAttribute("data-report") || "/lapor/";
  var DB_NAME = "ppks-outbox";
  var STORE = "reports";
  var RETRY_EVERY_MS = 20000;
  var BACKOFF_MAX_MS = 10 * 60 * 1000;
  var SENT_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
  var needsSignIn = false;

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined || values[name] === null ? "" : values[name];
    });
  }

  // IndexedDB, one short transaction at a time.
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore(STORE, { keyPath: "key" });
      };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result;
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      };
    });
  }
  function allEntries() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return entries.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }
  function mine(entries) {
    return entries.filter(function (entry) { return entry.user === USER; });
  }
  function unsent(entries) {
    return entries.filter(function (entry) { return entry.state !== "sent"; });
  }
  function save(entry) { return withStore("readwrite", function (store) { return store.put(entry); }); }
  // While a report is being sent the volunteer may remove it: a step of the sending must not
  // bring it back.
  function update(entry) {
    return withStore("readwrite", function (store) {
      var found = store.get(entry.key);
      found.onsuccess = function () { if (found.result) { store.put(entry); } };
      return null;
    });
  }
  function forget(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }
  function get(key) { return withStore("readonly", function (store) { return store.get(key); }); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // One request. `status` 0 when no answer of the API's came back: no signal, dropped, timed
  // out, or something else answering (a Wi-Fi sign-in page, a proxy): not JSON, or redirected.
  function call(url, options, timeoutMs) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, timeoutMs);
    options.signal = controller.signal;
    options.credentials = "same-origin";
    options.redirect = "manual";
    options.headers = options.headers || {};
    options.headers["Accept"] = "application/json";
    options.headers["X-CSRFToken"] = csrfToken();
    return fetch(url, options).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.type !== "basic" || response.redirected || !json) { return { status: 0, body: {} }; }
      return response.json().then(function (answer) {
        return { status: response.status, body: answer || {} };
      });
    }).catch(function () { return { status: 0, body: {} }; }).then(function (result) {
      clearTimeout(timer);
      return result;
    });
  }

  function outcomeOf(answer) {
    if (answer.status === 200 || answer.status === 201) {
      return typeof answer.body.id === "string" || typeof answer.body.id === "number" ? "done" : "offline";
    }
    if (answer.status === 0) { return "offline"; }
    if (answer.status === 401) { return "sign-in"; }
    if (answer.status >= 500 || answer.status === 408 || answer.status === 429) { return "retry"; }
    return "refused";  // 400, 403 (not allowed), 404, 409, 413, 415, 422: for the volunteer
  }

  function later(entry) {
    entry.attempts = (entry.attempts || 0) + 1;
    var wait = Math.min(BACKOFF_MAX_MS, RETRY_EVERY_MS * Math.pow(2, entry.attempts - 1));
    entry.retryAt = Date.now() + wait;
  }

  function settle(entry, outcome, answer) {
    if (outcome === "refused") {
      entry.state = "refused";
      entry.message = answer.body.message || TEXT.refused;
      entry.errors = answer.body.errors || [];
    } else if (outcome === "retry") {
      later(entry);  // this report's trouble: the others still go
    }
    needsSignIn = outcome === "sign-in";
    return update(entry).then(function () { return { outcome: outcome, entry: entry, answer: answer }; });
  }

  function sendPhotos(entry) {
    var next = entry.photos.filter(function (photo) { return !photo.done; })[0];
    if (!next) {
      // Filed: kept a few days with its reference and warnings, without the photos.
      entry.state = "sent";
      entry.sentAt = Date.now();
      entry.photos = entry.photos.map(function (photo) { return { key: photo.key, name: photo.name, done: true }; });
      return update(entry).then(function () { return { outcome: "sent", entry: entry }; });
    }
    var form = new FormData();
    form.append("file", next.blob, next.name);
    return call(CASES + entry.caseId + "/attachments/", {
      method: "POST", headers: { "Idempotency-Key": next.key }, body: form
    }, 90000).then(function (answer) {
      var outcome = outcomeOf(answer);
      if (outcome !== "done" && outcome !== "refused") { return settle(entry, outcome, answer); }
      next.done = true;
      next.blob = null;
      if (outcome === "refused") {
        entry.notices.push(format(TEXT.photo_refused, { name: next.name, message: answer.body.message }));
      }
      return update(entry).then(function () { return sendPhotos(entry); });
    });
  }

  function sendEntry(entry) {
    if (entry.caseId) { return sendPhotos(entry); }
    return call(CASES, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": entry.key },
      body: JSON.stringify(entry.body)
    }, 45000).then(function (answer) {
      var outcome = outcomeOf(answer);
      if (outcome !== "done") { return settle(entry, outcome, answer); }
      entry.caseId = answer.body.id;
      entry.reference = answer.body.reference;
      entry.warnings = answer.body.warnings || [];
      entry.attempts = 0;
      return update(entry).then(function () { return sendPhotos(entry); });
    });
  }

  // Sent only under the session of the person who wrote it: another tab may have signed
  // someone else in since this page was loaded.
  function signedInAsWriter() {
    return call(ME, { method: "GET" }, 20000).then(function (answer) {
      if (answer.status === 200) { return answer.body.username === USER ? "yes" : "sign-in"; }
      return answer.status === 401 || answer.status === 403 ? "sign-in" : "offline";
    });
  }

  // One run at a time, across the app's tabs too (each would be safe, keyed, but wasteful);
  // whoever asks meanwhile is answered by one more run after it.
  function exclusively(work) {
    if (navigator.locks) { return navigator.locks.request("ppks-outbox", work); }
    return work();
  }
  var running = null;
  var queued = null;
  function run(firstKey, force) {
    if (running) {
      queued = queued || { key: null, force: false, promise: null };
      queued.key = queued.key || firstKey;
      queued.force = queued.force || force;
      queued.promise = queued.promise || running.then(function () {
        var asked = queued;
        queued = null;
        return run(asked.key, asked.force);
      });
      return queued.promise;
    }
    running = exclusively(function () {
      return allEntries().then(function (entries) {
        var now = Date.now();
        var waiting = mine(entries).filter(function (entry) {
          return entry.state === "waiting" && (force || entry.key === firstKey || !(entry.retryAt > now));
        });
        waiting.sort(function (a, b) { return (b.key === firstKey) - (a.key === firstKey); });
        var results = [];
        if (!waiting.length) { return results; }
        return signedInAsWriter().then(function (who) {
          if (who !== "yes") {
            needsSignIn = who === "sign-in";
            return waiting.filter(function (e) { return e.key === firstKey; }).map(function (entry) {
              return { outcome: who, entry: entry };
            });
          }
          return waiting.reduce(function (chain, entry) {
            return chain.then(function (stop) {
              if (stop) { return true; }
              return sendEntry(entry).then(function (result) {
                results.push(result);
                // No signal, or the session gone: the rest would fare the same.
                return result.outcome === "offline" || result.outcome === "sign-in";
              });
            });
          }, Promise.resolve(false)).then(function () { return results; });
        });
      });
    }).then(function (results) {
      running = null;
      show();
      document.dispatchEvent(new CustomEvent("ppks-outbox", { detail: results }));
      return results;
    }, function (error) {
      running = null;
      show();
      throw error;
    });
    return running;
  }
  function flush(force) {
    if (!USER || !navigator.onLine) { return Promise.resolve([]); }
    return run(null, force === true);
  }

  // Filed reports are kept a week to be read again, then forgotten.
  function tidy() {
    return allEntries().then(function (entries) {
      var old = entries.filter(function (entry) {
        return entry.state === "sent" && Date.now() - entry.sentAt > SENT_KEPT_MS;
      });
      return Promise.all(old.map(function (entry) { return forget(entry.key); }));
    }).catch(function () {});
  }

  // The count, on every page: "Menunggu dikirim (2)", a link to the list on the report form.
  // Changed only when it changes, so that a screen reader says it once.
  var shown = null;
  function show() {
    var status = document.getElementById("outbox-status");
    if (!status) { return Promise.resolve(); }
    return allEntries().then(function (entries) {
      var kept = unsent(USER ? mine(entries) : entries);
      var signIn = kept.length && (!USER || needsSignIn);
      var now = kept.length + (signIn ? "+" : "");
      if (now === shown) { return; }
      shown = now;
      status.textContent = "";
      if (!kept.length) { return; }
      var link = document.createElement("a");
      link.href = REPORT + "#outbox";
      link.textContent = format(TEXT.waiting, { count: kept.length });
      status.appendChild(link);
      if (signIn) {
        status.appendChild(document.createTextNode(" · "));
        var signInLink = document.createElement("a");
        signInLink.href = SIGN_IN + "?next=" + encodeURIComponent(REPORT);
        signInLink.textContent = TEXT.sign_in_to_send;
        status.appendChild(signInLink);
      }
    }).catch(function () {});
  }

  if (!window.indexedDB || !window.fetch) { return; }
  window.ppksOutbox = {
    keep: function (entry) { return save(entry).then(show); },
    send: function (key) { return navigator.onLine ? run(key, false) : show().then(function () { return []; }); },
    entries: function () { return allEntries().then(mine); },
    get: get,
    forget: function (key) { return forget(key).then(show); },
    format: format,
    csrfToken: csrfToken,
    text: TEXT,
    user: USER
  };

  if ("serviceWorker" in navigator && body.getAttribute("data-worker")) {
    navigator.serviceWorker.register(body.getAttribute("data-worker"), { scope: "/" }).catch(function () {});
    // The pages the worker keeps name who is signed in: it keeps them for this person, and
    // forgets them on the way out.
    var signedInAs = function (user) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) { registration.active.postMessage({ type: "signed-in-as", user: user }); }
      });
    };
    if (navigator.onLine) { signedInAs(USER); }
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", function () { signedInAs(""); });
    });
  }
  // Nothing of a case page stays behind in this browser's storage after signing out.
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", function () {
      try { window.localStorage.removeItem("htmx-history-cache"); } catch (error) { /* private mode */ }
    });
  });
  window.addEventListener("online", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(false); }
  });
  setInterval(function () { flush(false); }, RETRY_EVERY_MS);
  tidy().then(show).then(function () { return flush(true); });
})();
