// Reaching out: the in-page ring on a help-seeker's pages, the counsellor's
// call-back queue that follows their rings, and the video call a call-back
// or invitation of kind video offers as soon as its chat opens.
//
// A help-seeker's page keeps /live/ring/ws open while it is shown: that is
// what "online" means, and only counsellors the help-seeker asked for a
// call-back, or allowed to contact them again, ever learn it. A ring shows a
// dialog with "Accept" (a plain form: the chat opens) and "Not now" (sent
// without leaving the page; the counsellor reads "not now", never a reason).
(function () {
  "use strict";

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function backoff(n) {
    return Math.min(10000, 500 * Math.pow(2, Math.min(n, 5))) + Math.floor(Math.random() * 250);
  }

  // listen keeps a socket to path open and hands each frame to onFrame.
  function listen(path, onFrame) {
    var tries = 0;
    function connect() {
      var ws = new WebSocket(socketURL(path));
      ws.onopen = function () { tries = 0; };
      ws.onmessage = function (event) {
        var f;
        try {
          f = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        onFrame(f);
      };
      ws.onclose = function () {
        tries += 1;
        setTimeout(connect, backoff(tries));
      };
    }
    connect();
  }

  var RING_TIMEOUT = 2 * 60 * 1000;

  var dialog = document.getElementById("ring");
  if (dialog) {
    var t = dialog.dataset;
    var accept = document.getElementById("ring-accept");
    var decline = document.getElementById("ring-decline");
    var current = "";
    var timer = null;
    var close = function () {
      current = "";
      clearTimeout(timer);
      if (dialog.open) {
        dialog.close();
      }
    };
    decline.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(decline.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams() }).then(close, close);
    });
    listen("/live/ring/ws", function (f) {
      if (f.type === "ring") {
        current = f.id;
        var key = (f.body === "callback" ? "tCallback" : "tInvite") + (f.status === "video" ? "Video" : "Chat");
        document.getElementById("ring-text").textContent = t[key] || "";
        document.getElementById("ring-name").textContent = f.author || "";
        accept.action = "/live/rings/" + encodeURIComponent(f.id) + "/accept";
        decline.action = "/live/rings/" + encodeURIComponent(f.id) + "/decline";
        if (!dialog.open) {
          dialog.showModal();
        }
        accept.querySelector("button").focus();
        clearTimeout(timer);
        timer = setTimeout(close, RING_TIMEOUT);
      } else if (f.type === "ring-end" && f.id === current) {
        close();
      }
    });
  }

  var section = document.getElementById("reach-queue");
  if (section) {
    var refresh = function () {
      fetch(location.pathname, { credentials: "same-origin" }).then(function (r) {
        return r.text();
      }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("reach-queue");
        var focused = document.activeElement && section.contains(document.activeElement);
        if (fresh && !focused) {
          section.innerHTML = fresh.innerHTML;
          document.getElementById("reach-announce").textContent = section.dataset.tChanged;
        }
        later();
      });
    };
    // A ring nobody answers is shown as such once its time is up.
    var later = function () {
      if (section.querySelector("[data-ring-state=ringing]")) {
        setTimeout(refresh, 30000);
      }
    };
    later();
    listen("/live/reach/ws", function (f) {
      if (f.type === "ring-answer" && f.id) {
        location.assign("/live/" + encodeURIComponent(f.id) + (f.status === "video" ? "?call=video" : ""));
        return;
      }
      refresh();
    });
  }

  // A chat opened by a call-back or invitation of kind video offers the
  // call as soon as the chat's socket is open, as the help-seeker asked.
  var chat = document.getElementById("chat");
  var start = document.getElementById("call-start");
  if (chat && start && new URLSearchParams(location.search).get("call") === "video") {
    var offered = false;
    chat.addEventListener("chat:open", function () {
      if (!offered && !start.disabled) {
        offered = true;
        start.click();
      }
    });
  }
})();
