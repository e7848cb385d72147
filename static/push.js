// Device notifications on the account page: turns them on for this device
// (the browser asks for permission, subscribes with its push service, and the
// form sends the subscription to the office) or off (the browser forgets the
// subscription, and the form tells the office to forget it too). Turning them
// off on every device is a plain form that needs no script.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) {
    return;
  }
  var status = box.querySelector("[data-push-status]");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var workerURL = box.getAttribute("data-worker") + "?title=" + encodeURIComponent(box.getAttribute("data-title"));

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  box.hidden = false;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(box.getAttribute("data-unsupported"));
    return;
  }

  function base64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function bytesOf(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) {
      bytes[i] = s.charCodeAt(i);
    }
    return bytes;
  }

  function current() {
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    });
  }

  current().then(function (sub) {
    if (sub) {
      off.elements.endpoint.value = sub.endpoint;
      off.hidden = false;
      // Registering again brings the worker's text into the page's
      // language; the subscription stays.
      navigator.serviceWorker.register(workerURL, { scope: "/" });
    } else {
      on.hidden = false;
    }
  }, function () {
    on.hidden = false;
  });

  on.addEventListener("submit", function (event) {
    event.preventDefault();
    say("");
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") {
        say(box.getAttribute("data-blocked"));
        return null;
      }
      return navigator.serviceWorker.register(workerURL, { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytesOf(box.getAttribute("data-key")) });
      }).then(function (sub) {
        on.elements.endpoint.value = sub.endpoint;
        on.elements.p256dh.value = base64url(sub.getKey("p256dh"));
        on.elements.auth.value = base64url(sub.getKey("auth"));
        on.submit();
      });
    }).catch(function () {
      say(box.getAttribute("data-failed"));
    });
  });

  off.addEventListener("submit", function (event) {
    event.preventDefault();
    current().then(function (sub) {
      return sub ? sub.unsubscribe() : true;
    }).then(function () {
      off.submit();
    }, function () {
      off.submit();
    });
  });
})();
