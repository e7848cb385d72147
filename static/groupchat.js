// A group chat's page: every message is sent with the page's form, which
// works without JavaScript. This script only keeps the page current: the
// group's socket says that something changed (never what), and the page
// then fetches itself again and swaps in the messages and participants,
// leaving the form and whatever is being typed in it alone.
(function () {
  "use strict";

  var live = document.getElementById("group-live");
  if (!live || !window.WebSocket || !window.fetch) {
    return;
  }
  var id = live.dataset.group;
  var announce = document.getElementById("group-announce");
  var retry = 1000;
  var busy = false;
  var again = false;

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("group-live");
        var current = document.getElementById("group-live");
        if (next && current) {
          current.replaceWith(next);
        } else if (current) {
          // The reader was taken out of the group, or it is gone: show the
          // page as it is now.
          location.reload();
          return;
        }
        ["group-form", "group-status"].forEach(function (name) {
          var here = document.getElementById(name);
          if (here && !doc.getElementById(name)) {
            here.remove();
          }
        });
        if (announce) {
          announce.textContent = live.dataset.tChanged || "";
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/live/groups/" + id + "/ws");
    ws.onopen = function () { retry = 1000; };
    ws.onmessage = refresh;
    ws.onclose = function () {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
