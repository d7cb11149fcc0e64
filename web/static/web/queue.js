// The phone's outbox: a report is kept in IndexedDB from the moment the volunteer presses
// "Kirim laporan" until the server has it, with the Idempotency-Key it got then. It goes to the
// API (the case, then each photo, each with its own key), so a retry after a lost answer files
// nothing twice. A refusal (4xx) waits for the volunteer to fix it and is never resent blindly;
// a lapsed session keeps everything until the same person signs in again.
(function () {
  "use strict";
  var body = document.body;
  var textElement = document.getElementById("ppks-text");
  var TEXT = textElement ? JSON.parse(textElement.textContent) : {};
  var USER = body.getAttribute("data-user") || "";
  var CASES = body.getAttribute("data-api-cases") || "/api/v1/cases/";
  var SIGN_IN = body.getAttribute("data-sign-in") || "/masuk/";
  var REPORT = body.getAttribute("data-report") || "/lapor/";
  var DB_NAME = "ppks-outbox";
  var STORE = "reports";
  var RETRY_EVERY_MS = 20000;
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
  function save(entry) { return withStore("readwrite", function (store) { return store.put(entry); }); }
  function forget(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }
  function get(key) { return withStore("readonly", function (store) { return store.get(key); }); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // One request; `status` 0 when it never got an answer (no signal, dropped, timed out).
  function call(url, options, timeoutMs) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, timeoutMs);
    options.signal = controller.signal;
    options.credentials = "same-origin";
    options.headers["Accept"] = "application/json";
    options.headers["X-CSRFToken"] = csrfToken();
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, body: answer };
      });
    }).catch(function () { return { status: 0, body: {} }; }).then(function (result) {
      clearTimeout(timer);
      return result;
    });
  }

  function outcomeOf(answer) {
    if (answer.status === 200 || answer.status === 201) { return "done"; }
    if (answer.status === 401 || answer.status === 403) { return "sign-in"; }
    if (answer.status === 0 || answer.status >= 500 || answer.status === 408 || answer.status === 429) {
      return "retry";
    }
    return "refused";
  }

  function sendPhotos(entry) {
    var next = entry.photos.filter(function (photo) { return !photo.done; })[0];
    if (!next) {
      return forget(entry.key).then(function () { return { outcome: "sent", entry: entry }; });
    }
    var form = new FormData();
    form.append("file", next.blob, next.name);
    return call(CASES + entry.caseId + "/attachments/", {
      method: "POST", headers: { "Idempotency-Key": next.key }, body: form
    }, 90000).then(function (answer) {
      var outcome = outcomeOf(answer);
      if (outcome === "retry" || outcome === "sign-in") { return settle(entry, outcome, answer); }
      next.done = true;
      if (outcome === "refused") {
        entry.notices.push(format(TEXT.photo_refused, { name: next.name, message: answer.body.message }));
      }
      return save(entry).then(function () { return sendPhotos(entry); });
    });
  }

  function settle(entry, outcome, answer) {
    if (outcome === "refused") {
      entry.state = "refused";
      entry.message = answer.body.message || TEXT.refused;
      entry.errors = answer.body.errors || [];
    } else {
      entry.attempts = (entry.attempts || 0) + 1;
      needsSignIn = outcome === "sign-in";
    }
    return save(entry).then(function () { return { outcome: outcome, entry: entry, answer: answer }; });
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
      needsSignIn = false;
      entry.caseId = answer.body.id;
      entry.reference = answer.body.reference;
      entry.warnings = answer.body.warnings || [];
      return save(entry).then(function () { return sendPhotos(entry); });
    });
  }

  // One sender at a time, across the app's tabs too (each would be safe, keyed, but wasteful).
  function exclusively(work) {
    if (navigator.locks) { return navigator.locks.request("ppks-outbox", work); }
    return work();
  }
  var running = null;
  function run(firstKey) {
    if (running) { return running.then(function () { return run(firstKey); }); }
    running = exclusively(function () {
      return allEntries().then(function (entries) {
        var waiting = mine(entries).filter(function (entry) { return entry.state === "waiting"; });
        waiting.sort(function (a, b) { return (b.key === firstKey) - (a.key === firstKey); });
        var results = [];
        return waiting.reduce(function (chain, entry) {
          return chain.then(function (stop) {
            if (stop) { return true; }
            return sendEntry(entry).then(function (result) {
              results.push(result);
              return result.outcome === "retry" || result.outcome === "sign-in";
            });
          });
        }, Promise.resolve(false)).then(function () { return results; });
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
  function flush() {
    if (!USER || !navigator.onLine) { return Promise.resolve([]); }
    return run(null);
  }

  // The count, on every page: "Menunggu dikirim (2)", a link to the list on the report form.
  function show() {
    var status = document.getElementById("outbox-status");
    if (!status) { return Promise.resolve(); }
    return allEntries().then(function (entries) {
      var kept = USER ? mine(entries) : entries;
      status.textContent = "";
      if (!kept.length) { return; }
      var link = document.createElement("a");
      link.href = REPORT + "#outbox";
      link.textContent = format(TEXT.waiting, { count: kept.length });
      status.appendChild(link);
      if (!USER || needsSignIn) {
        status.appendChild(document.createTextNode(" · "));
        var signIn = document.createElement("a");
        signIn.href = SIGN_IN + "?next=" + encodeURIComponent(REPORT);
        signIn.textContent = TEXT.sign_in_to_send;
        status.appendChild(signIn);
      }
    }).catch(function () {});
  }

  if (!window.indexedDB || !window.fetch) { return; }
  window.ppksOutbox = {
    keep: function (entry) { return save(entry).then(show); },
    send: function (key) { return navigator.onLine ? run(key) : show().then(function () { return []; }); },
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
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  setInterval(function () { flush(); }, RETRY_EVERY_MS);
  show().then(flush);
})();
