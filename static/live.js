// Live chat: the start form, the chat itself and the live queue. Without
// JavaScript these pages say that live chat needs it and offer mail instead.
//
// The chat protocol (see counselling/live): on every (re)connect the page
// sends "hello" with the last message number it has seen, and the server
// sends what followed. Each message the page sends carries a number of its
// own; it stays "Sending…" until the server acknowledges that it is stored,
// and it is sent again after a reconnect until then. The server stores a
// message sent twice once.
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  each(".needs-js", function (el) { el.hidden = false; });
  each(".without-js", function (el) { el.hidden = true; });

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function randomID() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  // Reconnects with a growing pause, so that a server restart or a phone
  // changing networks ends in the chat carrying on.
  function backoff(n) {
    return Math.min(10000, 500 * Math.pow(2, Math.min(n, 5))) + Math.floor(Math.random() * 250);
  }

  var chat = document.getElementById("chat");
  if (chat) {
    startChat(chat);
  }
  var queue = document.getElementById("live-queue");
  if (queue) {
    startQueue(queue);
  }

  function startChat(root) {
    var d = root.dataset;
    var id = d.chat;
    // A supervisor reading along sees the chat as its counsellor does, and
    // writes nothing.
    var reader = d.side === "chat-reader";
    var staff = d.side === "chat-counsellor" || reader;
    var reading = document.getElementById("chat-reading");
    var log = document.getElementById("chat-log");
    var status = document.getElementById("chat-status");
    var typing = document.getElementById("chat-typing");
    var announce = document.getElementById("chat-announce");
    var form = document.getElementById("chat-form");
    var box = document.getElementById("message");
    var seen = 0;
    var pending = {}; // client id -> {body, li}
    var order = [];
    var ws = null;
    var tries = 0;
    var ended = d.status === "closed";
    var counsellor = "";
    var typingTimer = null;
    var lastTyping = 0;

    // A message's time in the reader's own clock: the page is written with
    // times in UTC, for those without JavaScript; new messages get the
    // same form (clock) as the ones already there.
    function clock(at) {
      var t = new Date(at);
      var lang = document.documentElement.lang || undefined;
      if (t.toDateString() === new Date().toDateString()) {
        return t.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
      }
      return t.toLocaleString(lang, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
    }

    each("#chat-log li[data-seq]", function (li) {
      seen = Math.max(seen, parseInt(li.dataset.seq, 10) || 0);
      var t = li.querySelector("time[datetime]");
      if (t) {
        t.textContent = clock(t.dateTime);
      }
    });

    function setStatus(text) {
      if (status.textContent !== text) {
        status.textContent = text;
      }
    }

    function stamp(meta, at) {
      var time = document.createElement("time");
      var span = meta.querySelector(".delivery");
      time.dateTime = at;
      time.textContent = clock(at);
      meta.insertBefore(document.createTextNode(" · "), span);
      meta.insertBefore(time, span);
      meta.insertBefore(document.createTextNode(" "), span);
    }

    function delivered(p, f) {
      var state = p.li.querySelector(".delivery");
      state.textContent = d.tDelivered;
      p.li.dataset.seq = f.seq;
      p.acked = true;
      if (f.at && !p.li.querySelector("time")) {
        stamp(p.li.querySelector(".meta"), f.at);
      }
    }

    function item(mine, name, body, at, seq) {
      var li = document.createElement("li");
      li.className = "card message" + ((mine !== staff) ? " from-seeker" : "");
      var meta = document.createElement("p");
      meta.className = "meta";
      var who = document.createElement("strong");
      who.textContent = name;
      meta.appendChild(who);
      var state = document.createElement("span");
      state.className = "delivery";
      meta.appendChild(state);
      if (at) {
        stamp(meta, at);
      } else {
        meta.insertBefore(document.createTextNode(" "), state);
      }
      var p = document.createElement("p");
      p.className = "body";
      p.textContent = body;
      li.appendChild(meta);
      li.appendChild(p);
      if (seq) {
        li.dataset.seq = seq;
      }
      log.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
      return li;
    }

    function onMessage(f) {
      if (f.seq <= seen) {
        return;
      }
      seen = f.seq;
      var mine = (f.from === "counsellor") === staff;
      if (mine && f.id && pending[f.id]) {
        delivered(pending[f.id], f);
        delete pending[f.id];
        return;
      }
      var name = mine ? d.me : (f.author || d.other);
      item(mine, name, f.body, f.at, f.seq);
      if (mine && !reader) {
        return;
      }
      typing.textContent = "";
      announce.textContent = d.tNew.replace("%NAME%", name) + ": " + f.body;
    }

    function onState(f) {
      if (f.status === "open") {
        setStatus(staff ? d.tWaitingStaff : d.tWaiting.replace("%PLACE%", f.place));
      } else if (f.status === "assigned") {
        counsellor = f.author || counsellor;
        setStatus(reader ? d.tReadingSelf : staff ? d.tRunningStaff : d.tRunning.replace("%NAME%", counsellor));
      } else if (f.status === "closed") {
        ended = true;
        setStatus(d.tEnded);
        if (form) {
          form.hidden = true;
        }
        // A guest's page holds the rating and the survey for the end of
        // the chat; ending it again is no longer possible.
        var after = document.getElementById("chat-after");
        if (after) {
          after.hidden = false;
          var end = root.querySelector(".chat-end");
          if (end) {
            end.hidden = true;
          }
        }
      } else if (f.status === "gone") {
        setStatus(reader ? d.tReadingEnded : d.tGone);
        ended = true;
      }
    }

    function sendFrame(f) {
      if (ws && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify(f));
      }
    }

    function connect() {
      ws = new WebSocket(socketURL("/live/" + id + "/ws"));
      ws.onopen = function () {
        tries = 0;
        sendFrame({ type: "hello", last: seen });
        // Scripts that send over this socket (reach.js, call.js) learn it
        // is open, also those that run only after it opened.
        root.dataset.socket = "open";
        root.dispatchEvent(new CustomEvent("chat:open"));
        order.forEach(function (cid) {
          if (pending[cid] && !pending[cid].acked) {
            sendFrame({ type: "send", id: cid, body: pending[cid].body });
          }
        });
      };
      ws.onmessage = function (event) {
        var f;
        try {
          f = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (f.type.indexOf("call-") === 0) {
          // Call signalling is call.js's (see there).
          root.dispatchEvent(new CustomEvent("chat:call", { detail: f }));
          return;
        }
        switch (f.type) {
        case "msg":
          onMessage(f);
          break;
        case "ack":
          if (pending[f.id]) {
            delivered(pending[f.id], f);
          }
          break;
        case "state":
          onState(f);
          break;
        case "gone":
          setStatus(d.tGone);
          announce.textContent = d.tGone;
          break;
        case "reading":
          if (reading) {
            reading.textContent = f.status === "on" ? d.tReading : "";
            reading.hidden = f.status !== "on";
          }
          break;
        case "typing":
          typing.textContent = d.tTyping.replace("%NAME%", staff ? d.other : (counsellor || d.other));
          clearTimeout(typingTimer);
          typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
          break;
        case "error":
          if (f.id && pending[f.id]) {
            pending[f.id].li.querySelector(".delivery").textContent = f.body;
            delete pending[f.id];
          } else {
            announce.textContent = f.body;
          }
          break;
        }
      };
      ws.onclose = function () {
        ws = null;
        delete root.dataset.socket;
        if (ended) {
          return;
        }
        setStatus(d.tOffline);
        tries += 1;
        setTimeout(connect, backoff(tries));
      };
    }

    function send() {
      var body = box.value;
      if (!body.trim() || ended) {
        return;
      }
      var cid = randomID();
      var li = item(true, d.me, body, "", 0);
      li.querySelector(".delivery").textContent = d.tSending;
      pending[cid] = { body: body, li: li };
      order.push(cid);
      box.value = "";
      box.focus();
      sendFrame({ type: "send", id: cid, body: body });
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send();
      });
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          send();
        }
      });
      box.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping > 2000) {
          lastTyping = now;
          sendFrame({ type: "typing" });
        }
      });
    }
    // call.js sends its signalling over this chat's socket.
    root.addEventListener("call:send", function (event) {
      sendFrame(event.detail);
    });
    if (!ended) {
      connect();
    }
  }

  // The live queue: the page's socket keeps its counsellor present, and a
  // change in the queue replaces the list without moving the focus.
  function startQueue(section) {
    var tries = 0;
    var activity = 0;
    var ws = null;
    function refresh() {
      fetch(location.pathname, { credentials: "same-origin" }).then(function (r) {
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live-queue");
        var focused = document.activeElement && section.contains(document.activeElement);
        if (fresh && !focused) {
          section.innerHTML = fresh.innerHTML;
        }
        document.getElementById("queue-announce").textContent = section.dataset.tChanged;
      });
    }
    function connect() {
      ws = new WebSocket(socketURL("/live/queue/ws"));
      ws.onopen = function () { tries = 0; };
      ws.onmessage = function () { refresh(); };
      ws.onclose = function () {
        tries += 1;
        setTimeout(connect, backoff(tries));
      };
    }
    ["keydown", "pointerdown"].forEach(function (name) {
      document.addEventListener(name, function () {
        var now = Date.now();
        if (ws && ws.readyState === WebSocket.OPEN && now - activity > 30000) {
          activity = now;
          ws.send(JSON.stringify({ type: "active" }));
        }
      });
    });
    connect();
  }
})();
