// The office's service worker does one thing: when a push arrives, it shows a
// fixed notification, "something new is waiting", in the language the person
// chose when they turned notifications on (the page gives it in the worker's
// address). A push from the office carries no content and the worker fetches
// none: its policy (default-src 'none') would not let it. It handles no
// requests of the pages either.
"use strict";

var title = new URL(self.location.href).searchParams.get("title") || "";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", function (event) {
  // One notification at most: a newer one replaces the one still showing.
  event.waitUntil(self.registration.showNotification(title, { tag: "new" }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow("/threads"));
});
