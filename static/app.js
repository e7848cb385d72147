// Quick exit: leave at once for a neutral site and replace this page in the
// history, so the back button does not lead here. Pressing Escape three times in a
// row does the same. Without JavaScript the quick-exit link still works.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var presses = 0;
  var timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1500);
    if (presses >= 3) {
      leave(null);
    }
  });
})();

// A refused form: the page opens on its error summary (autofocus does this
// without JavaScript too), so that a screen reader announces what is wrong;
// a link of the summary brings the whole field into view, its label
// included, and puts the cursor into it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
  // A confirmation takes the focus the same way: autofocus alone waits for
  // the page's first rendering, which a tab in the background may not get.
  var confirmation = document.querySelector("[data-confirmation]");
  if (!summary && confirmation && document.activeElement !== confirmation) {
    confirmation.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var box = field.closest(".field, fieldset") || field;
    box.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();

// The session's end: a few minutes before an idle session ends, the warning
// appears with "I'm still here", which counts as activity and starts the
// time again. When the time has run out it says so; what is being written
// stays in its form, and the login carries it back. Without JavaScript the
// forms that take text say how long a session lasts.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box || !window.fetch) {
    return;
  }
  var idle = Number(box.getAttribute("data-idle")) * 1000;
  var warn = Number(box.getAttribute("data-warn")) * 1000;
  var soon = box.querySelector(".session-warning-soon");
  var ended = box.querySelector(".session-warning-ended");
  var form = box.querySelector("form");
  var timers = [];
  function start() {
    timers.forEach(clearTimeout);
    box.hidden = true;
    soon.hidden = false;
    ended.hidden = true;
    form.hidden = false;
    timers = [
      setTimeout(function () { box.hidden = false; }, Math.max(idle - warn, 0)),
      setTimeout(function () {
        soon.hidden = true;
        form.hidden = true;
        ended.hidden = false;
        box.hidden = false;
      }, idle)
    ];
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, { method: "POST", credentials: "same-origin" }).then(function (response) {
      if (response.status === 204) {
        start();
      } else {
        timers.forEach(clearTimeout);
        soon.hidden = true;
        form.hidden = true;
        ended.hidden = false;
      }
    });
  });
  start();
})();

// The supervisors' queue-health part refreshes itself: it fetches its own
// fresh copy every few seconds. Without JavaScript the page's Refresh link
// reloads it.
(function () {
  "use strict";
  var part = document.getElementById("queue-health");
  if (!part || !window.fetch) {
    return;
  }
  var seconds = parseInt(part.getAttribute("data-refresh"), 10) || 20;
  function refresh() {
    fetch("/supervision?part=health", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          part.replaceChildren.apply(part, Array.prototype.slice.call(doc.body.childNodes));
        }
      })
      .catch(function () {})
      .then(function () { setTimeout(refresh, seconds * 1000); });
  }
  setTimeout(refresh, seconds * 1000);
})();
