// The report form on the phone: region pickers that narrow each other from the region list the
// service worker keeps (so they work with no signal), "Gunakan lokasi saya", photos shrunk
// before they are kept, and sending through the outbox (queue.js). Without IndexedDB the form
// posts itself to the server, which files it just as well.
(function () {
  "use strict";
  var form = document.querySelector("form[data-regions]");
  if (!form) { return; }
  var outbox = window.ppksOutbox;
  var TEXT = outbox ? outbox.text : {};
  var byId = function (id) { return document.getElementById(id); };
  var pickers = { regency: byId("f-regency"), district: byId("f-district"), village: byId("f-village") };
  var children = null;
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  // --- regions -----------------------------------------------------------------------------
  var regionsReady = fetch(form.getAttribute("data-regions"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : { regions: [] }; })
    .then(function (data) {
      children = {};
      data.regions.forEach(function (row) {
        (children[row[2]] = children[row[2]] || []).push(row);
      });
    }).catch(function () { children = {}; });

  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    var below = select.getAttribute("data-below");
    if (below) { clear(byId(below)); }
  }
  function fill(select, parent, chosen) {
    clear(select);
    (children[parent] || []).forEach(function (row) {
      select.add(new Option(row[1], row[0], false, row[0] === chosen));
    });
  }
  function choose(code) {
    // A Kemendagri code holds its parents: 63.71.04.1003 lies in 63.71.04, in 63.71.
    var parts = (code || "").split(".");
    var regency = parts.slice(0, 2).join("."), district = parts.slice(0, 3).join(".");
    pickers.regency.value = regency;
    fill(pickers.district, regency, parts.length > 2 ? district : "");
    fill(pickers.village, parts.length > 2 ? district : "", parts.length > 3 ? code : "");
  }
  regionsReady.then(function () {
    [pickers.regency, pickers.district].forEach(function (select) {
      var below = byId(select.getAttribute("data-below"));
      select.addEventListener("change", function () { fill(below, select.value, ""); });
      // Chosen before this script ran (a quick hand, the back button): list what lies below.
      if (select.value && below.options.length <= 1) { fill(below, select.value, ""); }
    });
  });

  // --- say something next to a control ----------------------------------------------------
  function say(id, text, isError) {
    var element = byId(id);
    if (!element) { return; }
    element.textContent = text || "";
    element.classList.toggle("error", Boolean(isError));
  }

  // --- GPS ---------------------------------------------------------------------------------
  var locate = byId("f-locate");
  var latitude = byId("f-lat"), longitude = byId("f-lon");
  if (locate && outbox) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { say("locate-status", TEXT.gps_unavailable, true); return; }
      say("locate-status", TEXT.locating);
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude.toFixed(6), lon = position.coords.longitude.toFixed(6);
        latitude.value = lat;
        longitude.value = lon;
        var url = locate.getAttribute("data-url") + "?lat=" + lat + "&lon=" + lon;
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) {
            return response.json().then(function (place) { return { ok: response.ok, place: place }; });
          })
          .then(function (answer) {
            var place = answer.place;
            if (!answer.ok || !place.regency) {
              latitude.value = longitude.value = "";
              say("locate-status", place.message || TEXT.gps_unavailable, true);
              return;
            }
            return regionsReady.then(function () {
              choose((place.village || place.district || place.regency).code);
              var names = [place.village, place.district, place.regency].filter(Boolean)
                .map(function (region) { return region.name; }).join(", ");
              form.dispatchEvent(new CustomEvent("ppks-located"));
              say("locate-status", outbox.format(TEXT.gps_found, {
                place: names, accuracy: Math.round(position.coords.accuracy)
              }) + (place.message ? " " + place.message : ""));
            });
          })
          .catch(function () { say("locate-status", TEXT.gps_offline); });
      }, function (error) {
        say("locate-status", error.code === 1 ? TEXT.gps_denied : TEXT.gps_unavailable, true);
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  }

  if (!outbox) { return; }

  // --- photos: shrunk on the phone (longest side 1600 px, JPEG) before they are kept ----------
  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size < 400 * 1024) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG would turn black in a JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); })
        .then(function (blob) {
          if (!blob) { return file; }
          return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
        });
    }).catch(function () { return file; });
  }

  // --- the API's body, from the page's fields ----------------------------------------------
  var PERSON = ["name", "sex", "birth_date", "age_estimate", "nik", "phone"];
  function value(name) {
    var element = form.elements.namedItem(name);
    return element ? element.value.trim() : "";
  }
  function reportBody() {
    var subject = {};
    PERSON.forEach(function (name) { if (value(name)) { subject[name] = value(name); } });
    subject.name = value("name");
    var report = {
      category: value("category"),
      urgency: value("urgency") || "normal",
      region: value("village") || value("district") || value("regency"),
      description: value("description"),
      subject: subject,
      observed_at: new Date().toISOString()
    };
    if (value("address")) { report.address = value("address"); }
    if (latitude.value && longitude.value) {
      report.location = { lat: Number(latitude.value), lon: Number(longitude.value) };
    }
    return report;
  }

  // --- errors beside their fields, as the server's page shows them -------------------------
  var SHOWN_AT = { region: "village", location: "village", file: "photos" };
  function inputFor(field) {
    var name = field.indexOf("subject.") === 0 ? field.slice(8) : field;
    name = SHOWN_AT[name] || name;
    return byId("f-" + name);
  }
  // A field's error is one of the ids that describe it (a hint may be another): add and remove
  // only that one.
  function describedBy(input, id, present) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (present) { ids.unshift(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
  }
  function unmark(input) {
    var note = byId("e-" + input.name);
    if (note) { note.remove(); }
    input.removeAttribute("aria-invalid");
    describedBy(input, "e-" + input.name, false);
  }
  function mark(input, message) {
    unmark(input);
    var note = document.createElement("p");
    note.className = "error";
    note.id = "e-" + input.name;
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
    describedBy(input, note.id, true);
    input.closest(".field").appendChild(note);
  }
  function clearErrors() {
    form.querySelectorAll("[aria-invalid]").forEach(unmark);
    form.querySelectorAll("p.error[id^='e-']").forEach(function (p) { p.remove(); });
    say("report-message", "");
    byId("report-message").hidden = true;
    showWarnings([]);
  }
  function showErrors(message, errors) {
    var unplaced = [];
    (errors || []).forEach(function (error) {
      var input = inputFor(error.field || "");
      if (!input) { unplaced.push(error.message); return; }
      mark(input, error.message);
    });
    var box = byId("report-message");
    box.hidden = false;
    box.textContent = [message].concat(unplaced).join(" ");
    box.focus();
  }

  // --- checked as typed: the intake's own messages and warnings, before sending -----------------
  var CHECKED = ["nik", "sex", "birth_date", "phone"];
  var checkUrl = form.getAttribute("data-check");
  var checkTimer = null;
  var checkRound = 0;
  function showWarnings(warnings) {
    var box = byId("report-warnings");
    box.innerHTML = "";
    box.hidden = !warnings.length;
    if (!warnings.length) { return; }
    box.appendChild(paragraph(TEXT.check_these, "warn-title"));
    var list = document.createElement("ul");
    list.className = "warnings";
    warnings.forEach(function (warning) {
      var item = document.createElement("li");
      item.textContent = warning.message;
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  function draft() {
    var subject = {};
    CHECKED.forEach(function (name) { if (value(name)) { subject[name] = value(name); } });
    var report = {};
    if (Object.keys(subject).length) { report.subject = subject; }
    var region = value("village") || value("district") || value("regency");
    if (region) { report.region = region; }
    if (latitude.value && longitude.value) {
      report.location = { lat: Number(latitude.value), lon: Number(longitude.value) };
    }
    return report;
  }
  function checkNow() {
    var report = draft();
    var round = ++checkRound;
    CHECKED.forEach(function (name) {
      var input = byId("f-" + name);
      if (input.hasAttribute("data-checked")) { unmark(input); input.removeAttribute("data-checked"); }
    });
    if (!checkUrl || !navigator.onLine || !Object.keys(report).length) { showWarnings([]); return; }
    fetch(checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": outbox.csrfToken() },
      body: JSON.stringify(report)
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, body: answer }; });
    }).then(function (answer) {
      if (round !== checkRound) { return; }  // a newer check is on its way
      if (answer.status === 200) { showWarnings(answer.body.warnings || []); return; }
      if (answer.status !== 400) { return; }
      showWarnings([]);
      (answer.body.errors || []).forEach(function (error) {
        var input = inputFor(error.field || "");
        if (input && CHECKED.indexOf(input.name) >= 0) {
          mark(input, error.message);
          input.setAttribute("data-checked", "");
        }
      });
    }).catch(function () {});
  }
  function checkSoon() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(checkNow, 600);
  }
  byId("f-nik").addEventListener("input", function () {
    // A NIK is checked once it is whole (16 digits), or when the volunteer leaves the field.
    if (value("nik").replace(/\D/g, "").length >= 16) { checkSoon(); }
  });
  ["f-nik", "f-sex", "f-birth_date", "f-phone", "f-village"].forEach(function (id) {
    byId(id).addEventListener("change", checkSoon);
  });
  form.addEventListener("ppks-located", checkSoon);

  // --- after sending ------------------------------------------------------------------------
  function resetForm() {
    form.reset();
    latitude.value = longitude.value = "";
    say("locate-status", "");
    fill(pickers.district, pickers.regency.value, "");
    editing = null;
  }
  function showDone(html, focus) {
    var done = byId("report-done");
    done.innerHTML = "";
    done.appendChild(html);
    done.hidden = false;
    if (focus) { done.focus(); }
  }
  function paragraph(text, className) {
    var p = document.createElement("p");
    if (className) { p.className = className; }
    p.textContent = text;
    return p;
  }
  function sentNote(entry) {
    var box = document.createDocumentFragment();
    var line = paragraph("");
    var link = document.createElement("a");
    link.href = "/kasus/" + entry.caseId + "/";
    link.textContent = outbox.format(TEXT.sent, { reference: entry.reference });
    line.appendChild(link);
    box.appendChild(line);
    var notes = (entry.warnings || []).map(function (w) { return w.message; }).concat(entry.notices || []);
    if (notes.length) {
      box.appendChild(paragraph(TEXT.check_these, "warn-title"));
      var list = document.createElement("ul");
      list.className = "warnings";
      notes.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  // --- the list of what waits on the phone --------------------------------------------------
  function timeWords(iso) {
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || "id",
        { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Makassar" }) + " WITA";
    } catch (error) { return iso; }
  }
  function button(text, label, className, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className || "";
    element.textContent = text;
    element.setAttribute("aria-label", text + ": " + label);  // one per report, told apart
    element.addEventListener("click", action);
    return element;
  }
  function outboxItem(entry) {
    var item = document.createElement("li");
    item.className = "case" + (entry.state === "refused" ? " state-returned" : "");
    item.appendChild(paragraph(entry.label, "ref"));
    item.appendChild(paragraph(outbox.format(TEXT.kept_at, { time: timeWords(entry.createdAt) }), "meta"));
    if (entry.state === "sent") {
      item.appendChild(sentNote(entry));
      item.appendChild(button(TEXT.dismiss, entry.label, "link", function () {
        outbox.forget(entry.key).then(listOutbox);
      }));
      return item;
    }
    if (entry.state === "refused") {
      item.appendChild(paragraph(entry.message, "error"));
      item.appendChild(button(TEXT.fix, entry.label, "", function () { load(entry); }));
    } else {
      // Once the server has the case, only its photos are on their way: nothing to remove.
      item.appendChild(paragraph(entry.caseId ? TEXT.state_photos : TEXT.state_waiting));
    }
    if (!entry.caseId) {
      item.appendChild(button(TEXT.remove, entry.label, "link", function () {
        if (window.confirm(TEXT.remove_confirm)) { outbox.forget(entry.key).then(listOutbox); }
      }));
    }
    return item;
  }
  function listOutbox() {
    var section = byId("outbox");
    if (!section) { return; }
    outbox.entries().then(function (entries) {
      var kept = entries.filter(function (entry) { return entry.state !== "sent"; });
      var sent = entries.filter(function (entry) { return entry.state === "sent"; }).reverse();
      byId("outbox-list").replaceChildren.apply(byId("outbox-list"), kept.map(outboxItem));
      byId("sent-list").replaceChildren.apply(byId("sent-list"), sent.map(outboxItem));
      section.hidden = !kept.length;
      byId("sent").hidden = !sent.length;
    });
  }

  // A refused report back in the form, photos and all, to fix and send again (same key: the
  // refusal created nothing).
  var editing = null;
  function load(entry) {
    var report = entry.body;
    ["category", "urgency", "description", "address"].forEach(function (name) {
      var element = form.elements.namedItem(name);
      if (element) { element.value = report[name] || ""; }
    });
    PERSON.forEach(function (name) {
      form.elements.namedItem(name).value = (report.subject || {})[name] || "";
    });
    // Whatever follows the category (its explanation) hears that it changed.
    form.elements.namedItem("category").dispatchEvent(new Event("change"));
    regionsReady.then(function () { choose(report.region); });
    latitude.value = report.location ? report.location.lat : "";
    longitude.value = report.location ? report.location.lon : "";
    if (window.DataTransfer && entry.photos.length) {
      var files = new DataTransfer();
      entry.photos.forEach(function (photo) {
        files.items.add(new File([photo.blob], photo.name, { type: photo.blob.type }));
      });
      byId("f-photos").files = files.files;
    }
    editing = entry.key;
    clearErrors();
    showErrors(entry.message, entry.errors);
  }

  // --- Kirim laporan -------------------------------------------------------------------------
  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }  // a double tap files one report
    busy = true;
    clearErrors();
    byId("report-done").hidden = true;
    var key = editing || (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    var files = Array.prototype.slice.call(byId("f-photos").files || []);
    var category = form.elements.namedItem("category");
    var label = [category.selectedIndex > 0 ? category.options[category.selectedIndex].text : "",
      value("name")].filter(Boolean).join(" · ");
    var report = reportBody();
    if (files.length) { say("report-progress", TEXT.preparing_photos); }
    Promise.all(files.map(shrink)).then(function (photos) {
      var entry = {
        key: key, user: outbox.user, createdAt: new Date().toISOString(), label: label,
        body: report, state: "waiting", caseId: null, notices: [],
        photos: photos.map(function (photo, index) {
          return { key: key + "/foto-" + (index + 1), name: photo.name, blob: photo, done: false };
        })
      };
      return outbox.keep(entry).then(function () {
        say("report-progress", navigator.onLine ? TEXT.sending : "");
        // Kept: whatever the sending meets from here, the report is on the phone.
        return outbox.send(key).catch(function () { return []; });
      }, function () {
        // The phone would not keep it (storage full, private mode): the form posts itself.
        busy = false;
        HTMLFormElement.prototype.submit.call(form);
        return null;
      }).then(function (results) {
        if (results === null) { return; }
        var mineNow = (results || []).filter(function (r) { return r.entry.key === key; })[0];
        var outcome = mineNow ? mineNow.outcome : "retry";
        if (outcome === "refused") {
          editing = key;
          showErrors(mineNow.entry.message, mineNow.entry.errors);
        } else if (outcome === "sent") {
          resetForm();
          showDone(sentNote(mineNow.entry), true);
        } else {
          resetForm();
          showDone(paragraph(outcome === "sign-in" ? TEXT.kept_sign_in
            : navigator.onLine ? TEXT.kept_retry : TEXT.kept_offline), true);
        }
      });
    }).catch(function () {
      showErrors(TEXT.not_kept, []);
    }).then(function () {
      busy = false;
      say("report-progress", "");
      listOutbox();
    });
  });
  document.addEventListener("ppks-outbox", listOutbox);
  listOutbox();
})();
