// A video or voice call in a live chat, signalled over the chat's socket
// (live.js passes call frames on as "chat:call" events and sends what this
// script dispatches as "call:send").
//
// The counsellor offers a call; the help-seeker's page then explains what
// happens and offers to join, with camera or with voice only. Camera and
// microphone are asked for only on joining (the counsellor's when the
// help-seeker has joined). The server gives each side the one ICE server it
// may use, the office's own relay, and both sides use it only
// (iceTransportPolicy "relay"), so that neither learns the other's address.
// The counsellor's page makes the offer, the help-seeker's answers.
//
// A video appointment's chat (data-direct on the panel) starts its call by
// itself, once per page: the counsellor's page offers it as soon as the
// chat's socket is open, and the help-seeker's page joins with camera as
// soon as it is offered, as the help-seeker chose when booking and opening
// a video appointment. After hanging up, a call is offered and joined as in
// any chat.
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var root = document.getElementById("call");
  if (!chat || !root) {
    return;
  }
  var t = root.dataset;
  var staff = chat.dataset.side === "chat-counsellor";
  var status = document.getElementById("call-status");
  var media = document.getElementById("call-media");
  var remote = document.getElementById("call-remote");
  var local = document.getElementById("call-local");
  var hangup = document.getElementById("call-hangup");
  var start = document.getElementById("call-start");
  var invite = document.getElementById("call-invite");
  var join = document.getElementById("call-join");
  var joinVoice = document.getElementById("call-join-voice");
  var direct = root.dataset.direct === "1";
  var directDone = false; // the call of a video appointment started once

  var config = null; // the RTCConfiguration the server gave this page
  var pc = null;
  var stream = null;
  var voiceOnly = false;
  var peerJoined = false;
  var early = []; // candidates that came before the remote description

  // A browser test may set window.__confidantCallTest = {received: [], pcs: []}
  // before a call, to see every description and candidate this page is given
  // and its connection. Without it nothing is kept.
  function testHook() {
    var h = window.__confidantCallTest;
    return h && Array.isArray(h.received) ? h : null;
  }

  function say(text) {
    status.textContent = text;
  }

  function send(f) {
    chat.dispatchEvent(new CustomEvent("call:send", { detail: f }));
  }

  function showMedia() {
    media.hidden = false;
    if (invite) {
      invite.hidden = true;
    }
    if (start) {
      start.hidden = true;
    }
    hangup.focus();
  }

  function reset(text) {
    if (pc) {
      pc.close();
      pc = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    remote.srcObject = null;
    local.srcObject = null;
    config = null;
    peerJoined = false;
    early = [];
    var hadFocus = media.contains(document.activeElement);
    media.hidden = true;
    // A video appointment's call starts by itself only once: the page no
    // longer says it will.
    var directNote = document.getElementById("call-direct");
    if (directNote && directDone) {
      directNote.hidden = true;
    }
    if (invite) {
      invite.hidden = true;
    }
    if (start) {
      start.hidden = false;
      start.disabled = false;
      if (hadFocus) {
        start.focus();
      }
    } else if (hadFocus) {
      document.getElementById("message").focus();
    }
    say(text);
  }

  function getMedia() {
    return navigator.mediaDevices.getUserMedia({ audio: true, video: !voiceOnly }).then(function (s) {
      stream = s;
      local.srcObject = s;
      local.hidden = voiceOnly;
      return s;
    });
  }

  function connection() {
    pc = new RTCPeerConnection(config);
    var h = testHook();
    if (h && Array.isArray(h.pcs)) {
      h.pcs.push(pc);
    }
    pc.onicecandidate = function (event) {
      var c = event.candidate;
      send({ type: "call-ice", call: { candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : { candidate: "" } } });
    };
    pc.onicecandidateerror = function (event) {
      // The console may see what went wrong; the server learns the error's
      // number only.
      console.warn("call: relay candidate error", event.errorCode, event.errorText);
      send({ type: "call-log", call: { code: event.errorCode } });
    };
    pc.ontrack = function (event) {
      if (remote.srcObject !== event.streams[0]) {
        remote.srcObject = event.streams[0];
      }
    };
    pc.onconnectionstatechange = function () {
      if (!pc) {
        return;
      }
      if (pc.connectionState === "connected") {
        say(t.tConnected);
      } else if (pc.connectionState === "failed") {
        send({ type: "call-end" });
        reset(t.tFailed);
      }
    };
    stream.getTracks().forEach(function (track) { pc.addTrack(track, stream); });
    return pc;
  }

  function mediaFailed() {
    send({ type: "call-end" });
    reset(t.tMedia);
  }

  // The counsellor's page makes the offer once the help-seeker has joined
  // and its own camera and microphone are on.
  function makeOffer() {
    say(t.tConnecting);
    (stream ? Promise.resolve(stream) : getMedia()).then(function () {
      var p = connection();
      return p.createOffer().then(function (offer) {
        return p.setLocalDescription(offer);
      }).then(function () {
        send({ type: "call-sdp", call: { sdp: { type: p.localDescription.type, sdp: p.localDescription.sdp } } });
      });
    }).catch(mediaFailed);
  }

  function onDescription(desc) {
    var h = testHook();
    if (h) {
      h.received.push({ kind: "sdp", value: desc.sdp });
    }
    if (desc.type === "offer" && !staff && stream && config) {
      var p = pc || connection();
      p.setRemoteDescription(desc).then(function () {
        return p.createAnswer();
      }).then(function (answer) {
        return p.setLocalDescription(answer);
      }).then(function () {
        send({ type: "call-sdp", call: { sdp: { type: p.localDescription.type, sdp: p.localDescription.sdp } } });
        flushEarly();
      }).catch(function () {
        send({ type: "call-end" });
        reset(t.tFailed);
      });
    } else if (desc.type === "answer" && staff && pc) {
      pc.setRemoteDescription(desc).then(flushEarly).catch(function () {
        send({ type: "call-end" });
        reset(t.tFailed);
      });
    }
  }

  function addCandidate(c) {
    pc.addIceCandidate(c.candidate ? c : null).catch(function (e) {
      console.warn("call: candidate not added", e && e.name);
    });
  }

  function flushEarly() {
    var list = early;
    early = [];
    list.forEach(addCandidate);
  }

  function onCandidate(c) {
    var h = testHook();
    if (h) {
      h.received.push({ kind: "candidate", value: c.candidate });
    }
    if (!pc || !pc.remoteDescription) {
      early.push(c);
      return;
    }
    addCandidate(c);
  }

  chat.addEventListener("chat:call", function (event) {
    var f = event.detail;
    var c = f.call || {};
    switch (f.type) {
    case "call-config":
      config = { iceServers: c.iceServers || [], iceTransportPolicy: "relay" };
      if (staff && peerJoined && !pc) {
        makeOffer();
      }
      break;
    case "call-offer":
      if (!staff && direct && !directDone && !pc && !stream) {
        directDone = true;
        joinCall(false);
      } else if (!staff && invite && !pc && !stream) {
        invite.hidden = false;
        say(t.tOffered);
      }
      break;
    case "call-join":
      if (staff) {
        peerJoined = true;
        if (c.voice) {
          say(t.tJoinedVoice);
        }
        if (pc) {
          // The help-seeker joined again (after reloading the page): the
          // call starts over with a new connection.
          pc.close();
          pc = null;
          early = [];
        }
        if (config) {
          makeOffer();
        }
      }
      break;
    case "call-sdp":
      if (c.sdp) {
        onDescription(c.sdp);
      }
      break;
    case "call-ice":
      if (c.candidate) {
        onCandidate(c.candidate);
      }
      break;
    case "call-end":
      reset(t.tEnded);
      break;
    }
  });

  if (start) {
    start.addEventListener("click", function () {
      start.disabled = true;
      send({ type: "call-offer" });
      say(t.tWaiting);
      showMedia();
    });
  }

  function joinCall(voice) {
    voiceOnly = voice;
    showMedia();
    say(t.tConnecting);
    // The camera and microphone are asked for only now, as the page said.
    getMedia().then(function () {
      send({ type: "call-join", call: { voice: voice } });
    }).catch(mediaFailed);
  }
  if (join) {
    join.addEventListener("click", function () { joinCall(false); });
    joinVoice.addEventListener("click", function () { joinCall(true); });
  }

  if (direct) {
    var opened = function () {
      if (directDone || pc || stream) {
        return;
      }
      if (staff && start && !start.disabled) {
        directDone = true;
        start.click();
      } else if (!staff) {
        say(t.tDirectWaiting);
      }
    };
    chat.addEventListener("chat:open", opened);
    if (chat.dataset.socket === "open") {
      opened();
    }
  }

  hangup.addEventListener("click", function () {
    send({ type: "call-end" });
    reset(t.tEnded);
  });
})();
