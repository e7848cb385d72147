// A group call: one counsellor and up to three help-seekers, each pair of
// them connected through the office's relay (a mesh). Signalling runs over
// the group call's own socket: the server tells each page who is in the call,
// in the order they joined, and each page offers a connection to everyone
// who joined before it. Descriptions and candidates are addressed to one
// peer; the server passes only relay candidates on. Camera and microphone are
// asked for only on joining.
(function () {
  "use strict";

  var root = document.getElementById("group-call");
  if (!root) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll(".needs-js"), function (el) { el.hidden = false; });
  Array.prototype.forEach.call(document.querySelectorAll(".without-js"), function (el) { el.hidden = true; });

  var t = root.dataset;
  var leader = t.role === "counsellor";
  var status = document.getElementById("group-status");
  var invite = document.getElementById("group-invite");
  var join = document.getElementById("group-join");
  var joinVoice = document.getElementById("group-join-voice");
  var media = document.getElementById("group-media");
  var list = document.getElementById("group-peers");
  var local = document.getElementById("group-local");
  var leave = document.getElementById("group-leave");

  var ws = null;
  var config = null;
  var stream = null;
  var me = "";
  var roster = [];
  var pcs = {}; // peer id -> RTCPeerConnection
  var early = {}; // peer id -> candidates that came before the description
  var items = {}; // peer id -> list item
  var over = false;

  // A browser test may set window.__confidantCallTest = {received: [], pcs: []}
  // to see every description and candidate this page is given, and its
  // connections. Without it nothing is kept.
  function testHook() {
    var h = window.__confidantCallTest;
    return h && Array.isArray(h.received) ? h : null;
  }

  function say(text) {
    status.textContent = text;
  }

  function send(f) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(f));
    }
  }

  function label(peer, n) {
    if (peer.id === me) {
      return t.tYou;
    }
    return peer.counsellor ? t.tCounsellor : t.tParticipant.replace("%N%", n);
  }

  function closePeer(id) {
    if (pcs[id]) {
      pcs[id].close();
      delete pcs[id];
    }
    delete early[id];
    if (items[id]) {
      var hadFocus = items[id].contains(document.activeElement);
      items[id].remove();
      delete items[id];
      if (hadFocus) {
        leave.focus();
      }
    }
  }

  function teardown(text) {
    over = true;
    Object.keys(pcs).forEach(closePeer);
    Object.keys(items).forEach(closePeer);
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    local.srcObject = null;
    if (ws) {
      ws.close();
      ws = null;
    }
    media.hidden = true;
    say(text);
  }

  function item(peer, n) {
    var li = items[peer.id];
    if (!li) {
      li = document.createElement("li");
      li.className = "card group-peer";
      var video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      li.appendChild(video);
      var name = document.createElement("p");
      name.className = "meta";
      li.appendChild(name);
      if (leader && !peer.counsellor) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary";
        remove.addEventListener("click", function () {
          send({ type: "group-remove", peer: peer.id });
        });
        li.appendChild(remove);
      }
      list.appendChild(li);
      items[peer.id] = li;
    }
    var text = label(peer, n);
    li.querySelector("p").textContent = text;
    li.querySelector("video").setAttribute("aria-label", text);
    var button = li.querySelector("button");
    if (button) {
      button.textContent = t.tRemove.replace("%NAME%", text);
    }
    return li;
  }

  function connection(id) {
    var pc = new RTCPeerConnection(config);
    pcs[id] = pc;
    early[id] = early[id] || [];
    var h = testHook();
    if (h && Array.isArray(h.pcs)) {
      h.pcs.push(pc);
    }
    pc.onicecandidate = function (event) {
      var c = event.candidate;
      send({ type: "call-ice", peer: id, call: { candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : { candidate: "" } } });
    };
    pc.onicecandidateerror = function (event) {
      send({ type: "call-log", call: { code: event.errorCode } });
    };
    pc.ontrack = function (event) {
      var li = items[id];
      var video = li && li.querySelector("video");
      if (video && video.srcObject !== event.streams[0]) {
        video.srcObject = event.streams[0];
      }
    };
    stream.getTracks().forEach(function (track) { pc.addTrack(track, stream); });
    return pc;
  }

  function flush(id) {
    var waiting = early[id] || [];
    early[id] = [];
    waiting.forEach(function (c) { addCandidate(id, c); });
  }

  function addCandidate(id, c) {
    pcs[id].addIceCandidate(c.candidate ? c : null).catch(function (e) {
      console.warn("group call: candidate not added", e && e.name);
    });
  }

  function offer(id) {
    var pc = connection(id);
    pc.createOffer().then(function (o) {
      return pc.setLocalDescription(o);
    }).then(function () {
      send({ type: "call-sdp", peer: id, call: { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } } });
    });
  }

  function onRoster(f) {
    me = f.you;
    roster = f.peers || [];
    var present = {};
    var mine = -1;
    roster.forEach(function (p, i) {
      present[p.id] = true;
      if (p.id === me) {
        mine = i;
      }
    });
    Object.keys(items).concat(Object.keys(pcs)).forEach(function (id) {
      if (!present[id]) {
        closePeer(id);
      }
    });
    var n = 0;
    roster.forEach(function (p, i) {
      if (!p.counsellor) {
        n += 1;
      }
      if (p.id === me) {
        return;
      }
      item(p, n);
      // Whoever joined later makes the offer, so each pair has one.
      if (i < mine && !pcs[p.id] && config) {
        offer(p.id);
      }
    });
    say(t.tJoined);
  }

  function onDescription(from, desc) {
    var h = testHook();
    if (h) {
      h.received.push({ kind: "sdp", value: desc.sdp });
    }
    if (desc.type === "offer") {
      if (pcs[from]) {
        closePeer(from);
        onRoster({ you: me, peers: roster });
      }
      var pc = connection(from);
      pc.setRemoteDescription(desc).then(function () {
        return pc.createAnswer();
      }).then(function (a) {
        return pc.setLocalDescription(a);
      }).then(function () {
        send({ type: "call-sdp", peer: from, call: { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } } });
        flush(from);
      });
    } else if (pcs[from]) {
      pcs[from].setRemoteDescription(desc).then(function () { flush(from); });
    }
  }

  function onCandidate(from, c) {
    var h = testHook();
    if (h) {
      h.received.push({ kind: "candidate", value: c.candidate });
    }
    if (!pcs[from] || !pcs[from].remoteDescription) {
      (early[from] = early[from] || []).push(c);
      return;
    }
    addCandidate(from, c);
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/calls/" + t.group + "/ws");
    ws.onopen = function () {
      send({ type: "hello" });
    };
    ws.onmessage = function (event) {
      var f;
      try {
        f = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      var c = f.call || {};
      switch (f.type) {
      case "call-config":
        config = { iceServers: c.iceServers || [], iceTransportPolicy: "relay" };
        break;
      case "group":
        onRoster(f);
        break;
      case "call-sdp":
        if (c.sdp) {
          onDescription(f.peer, c.sdp);
        }
        break;
      case "call-ice":
        if (c.candidate) {
          onCandidate(f.peer, c.candidate);
        }
        break;
      case "group-refused":
        teardown(f.body);
        invite.hidden = false;
        break;
      case "group-removed":
        teardown(t.tRemoved);
        break;
      case "call-end":
        // The counsellor left or ended the call; while the invitation
        // stands, the page may join again once they are back.
        teardown(t.tEnded);
        invite.hidden = false;
        break;
      case "error":
        say(f.body);
        break;
      }
    };
    ws.onclose = function () {
      if (!over) {
        teardown(t.tEnded);
      }
    };
  }

  function start(voice) {
    over = false;
    invite.hidden = true;
    media.hidden = false;
    say(t.tConnecting);
    navigator.mediaDevices.getUserMedia({ audio: true, video: !voice }).then(function (s) {
      stream = s;
      local.srcObject = s;
      local.hidden = voice;
      leave.focus();
      connect();
    }).catch(function () {
      teardown(t.tMedia);
      invite.hidden = false;
    });
  }
  join.addEventListener("click", function () { start(false); });
  joinVoice.addEventListener("click", function () { start(true); });
  leave.addEventListener("click", function () {
    teardown(t.tLeft);
    invite.hidden = false;
    join.focus();
  });
})();
