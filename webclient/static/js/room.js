// The meeting room: one RTCPeerConnection to the server, which forwards the other side's media.
// Signalling goes over the page's Socket.IO connection; the chat shares that connection.
import { connectSocket } from "/static/js/socket.js";
import { startChat } from "/static/js/chat.js";

const RETRY_MS = 2000;
const MAX_RETRIES = 5;

const root = document.getElementById("room");
const meetingId = Number(root.dataset.meetingId);
const observer = root.dataset.observer === "true";
const iceServers = JSON.parse(root.dataset.iceServers || "[]");
const $ = (id) => document.getElementById(id);
const ui = {
  local: $("local-video"), remote: $("remote-videos"), waiting: $("waiting"),
  message: $("media-message"), state: $("connection-state"), badge: $("observer-badge"),
  join: $("join-button"), leave: $("leave-button"), mute: $("mute-button"), camera: $("camera-button"),
  cameraSelect: $("camera-select"), micSelect: $("microphone-select"),
  concernButton: $("concern-button"), concernForm: $("concern-form"), concernResult: $("concern-result"),
};

const socket = connectSocket();
const chatRoot = document.getElementById("chat");
if (chatRoot) startChat(chatRoot, socket);

let localStream = null;
let pc = null;
let wantJoined = false;
let retries = 0;
let owners = {}; // mid -> {user_id, name}
const incoming = new Map(); // mid -> MediaStreamTrack
const tiles = new Map(); // user id -> {figure, video, audio, stream}

function say(text) {
  ui.message.textContent = text;
  ui.message.hidden = !text;
}

function setState(text) {
  ui.state.textContent = text;
}

// Camera and microphone ---------------------------------------------------------------------

function describeMediaError(error) {
  if (error.name === "NotAllowedError") {
    return "Camera and microphone access was refused. You can still join and use the chat; to be seen and heard, allow access in your browser's site settings and reload.";
  }
  if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
    return "No camera or microphone was found. You can still join and use the chat.";
  }
  if (error.name === "NotReadableError") {
    return "Your camera or microphone is being used by another program. Close it and reload, or join without it.";
  }
  return `Camera and microphone are not available (${error.message}). You can still join and use the chat.`;
}

async function acquire(constraints) {
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    if (constraints.video && constraints.audio) {
      try {
        const audioOnly = await navigator.mediaDevices.getUserMedia({ audio: constraints.audio });
        say("No camera could be used, so you will join with sound only.");
        return audioOnly;
      } catch {
        // fall through to the first error, which says why
      }
    }
    say(describeMediaError(error));
    return null;
  }
}

async function fillDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [select, kind] of [[ui.cameraSelect, "videoinput"], [ui.micSelect, "audioinput"]]) {
    const current = localStream?.getTracks().find((t) => t.kind === (kind === "videoinput" ? "video" : "audio"));
    const currentId = current?.getSettings().deviceId;
    select.replaceChildren();
    const found = devices.filter((d) => d.kind === kind);
    if (!found.length) select.append(new Option("None found", ""));
    for (const [index, device] of found.entries()) {
      const label = device.label || `${kind === "videoinput" ? "Camera" : "Microphone"} ${index + 1}`;
      select.append(new Option(label, device.deviceId, false, device.deviceId === currentId));
    }
  }
}

async function startPreview() {
  if (observer) return;
  if (!navigator.mediaDevices?.getUserMedia) {
    say("This browser cannot use a camera here. You can still join and use the chat.");
    return;
  }
  localStream = await acquire({ audio: true, video: { width: 640, height: 480 } });
  if (localStream) ui.local.srcObject = localStream;
  await fillDevices();
  updateToggles();
}

async function switchDevice(kind, deviceId) {
  const constraints = kind === "video"
    ? { video: { deviceId: { exact: deviceId }, width: 640, height: 480 } }
    : { audio: { deviceId: { exact: deviceId } } };
  const stream = await acquire(constraints);
  if (!stream) return;
  const track = stream.getTracks()[0];
  const old = localStream?.getTracks().find((t) => t.kind === kind);
  if (old) {
    track.enabled = old.enabled;
    localStream.removeTrack(old);
    old.stop();
  }
  if (!localStream) localStream = new MediaStream();
  localStream.addTrack(track);
  ui.local.srcObject = localStream;
  const sender = pc?.getTransceivers().find((t) => t.receiver.track?.kind === kind)?.sender;
  if (sender) await sender.replaceTrack(track);
  updateToggles();
}

function updateToggles() {
  if (observer) return;
  const audio = localStream?.getAudioTracks()[0];
  const video = localStream?.getVideoTracks()[0];
  ui.mute.disabled = !audio;
  ui.camera.disabled = !video;
  ui.mute.setAttribute("aria-pressed", String(Boolean(audio && !audio.enabled)));
  ui.mute.textContent = audio && !audio.enabled ? "Unmute" : "Mute";
  ui.camera.setAttribute("aria-pressed", String(Boolean(video && !video.enabled)));
  ui.camera.textContent = video && !video.enabled ? "Turn camera on" : "Turn camera off";
}

// Other people's media -----------------------------------------------------------------------

function tileFor(owner) {
  let tile = tiles.get(owner.user_id);
  if (!tile) {
    const figure = document.createElement("figure");
    figure.className = "tile";
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // sound plays through the audio element, so autoplay rules allow video
    const audio = document.createElement("audio");
    audio.autoplay = true;
    const caption = document.createElement("figcaption");
    figure.append(video, audio, caption);
    ui.remote.append(figure);
    tile = { figure, video, audio, caption, stream: new MediaStream() };
    video.srcObject = tile.stream;
    tiles.set(owner.user_id, tile);
  }
  tile.video.setAttribute("aria-label", `Video of ${owner.name}`);
  tile.caption.textContent = owner.name;
  return tile;
}

function render() {
  const wanted = new Map(); // user id -> tracks
  for (const [mid, owner] of Object.entries(owners)) {
    const track = incoming.get(mid);
    if (!track) continue;
    if (!wanted.has(owner.user_id)) wanted.set(owner.user_id, { owner, tracks: [] });
    wanted.get(owner.user_id).tracks.push(track);
  }
  for (const [userId, tile] of tiles) {
    if (!wanted.has(userId)) {
      tile.figure.remove();
      tiles.delete(userId);
    }
  }
  for (const { owner, tracks } of wanted.values()) {
    const tile = tileFor(owner);
    for (const track of tile.stream.getTracks()) {
      if (!tracks.includes(track)) tile.stream.removeTrack(track);
    }
    for (const track of tracks) {
      if (!tile.stream.getTracks().includes(track)) tile.stream.addTrack(track);
    }
    const audioTracks = tile.stream.getAudioTracks();
    if (audioTracks.length && !tile.audio.srcObject) tile.audio.srcObject = new MediaStream(audioTracks);
    tile.video.play().catch(() => {});
    tile.audio.play().catch(() => {});
  }
  ui.waiting.hidden = tiles.size > 0;
}

// Joining -------------------------------------------------------------------------------------

function gatheringComplete(connection) {
  if (connection.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (connection.iceGatheringState === "complete") {
        connection.removeEventListener("icegatheringstatechange", done);
        resolve();
      }
    };
    connection.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // host candidates are enough on most networks
  });
}

function closePeer() {
  if (pc) {
    pc.onconnectionstatechange = null;
    pc.close();
    pc = null;
  }
  incoming.clear();
  owners = {};
  render();
}

async function join() {
  wantJoined = true;
  ui.join.hidden = true;
  ui.leave.hidden = false;
  closePeer();
  setState("connecting…");
  const connection = new RTCPeerConnection({ iceServers });
  pc = connection;
  if (observer) {
    for (let i = 0; i < 2; i += 1) {
      connection.addTransceiver("audio", { direction: "recvonly" });
      connection.addTransceiver("video", { direction: "recvonly" });
    }
  } else {
    const streams = localStream ? [localStream] : [];
    connection.addTransceiver(localStream?.getAudioTracks()[0] || "audio", { direction: "sendrecv", streams });
    connection.addTransceiver(localStream?.getVideoTracks()[0] || "video", { direction: "sendrecv", streams });
  }
  connection.ontrack = (event) => {
    incoming.set(event.transceiver.mid, event.track);
    render();
  };
  connection.onconnectionstatechange = () => {
    if (connection !== pc) return;
    const state = connection.connectionState;
    if (state === "connected") {
      retries = 0;
      setState("connected");
    } else if (state === "disconnected") {
      setState("reconnecting…");
    } else if (state === "failed") {
      retry("The connection failed. Check your internet connection; trying again…");
    }
  };
  await connection.setLocalDescription(await connection.createOffer());
  await gatheringComplete(connection);
  if (connection !== pc) return;
  let ack;
  try {
    ack = await socket.timeout(15000).emitWithAck("room:join", { meeting_id: meetingId, sdp: connection.localDescription.sdp });
  } catch {
    retry("The server did not answer. Trying again…");
    return;
  }
  if (connection !== pc) return;
  if (!ack.ok) {
    say(ack.error.message);
    setState("not connected");
    leaveLocally();
    return;
  }
  owners = ack.tracks;
  await connection.setRemoteDescription({ type: "answer", sdp: ack.sdp });
  render();
}

function retry(text) {
  setState(text);
  if (!wantJoined) return;
  if (retries >= MAX_RETRIES) {
    setState("failed. If this keeps happening, your network may block video calls: try another network, or ask your coordinator about a TURN server.");
    return;
  }
  retries += 1;
  setTimeout(() => { if (wantJoined) join(); }, RETRY_MS);
}

function leaveLocally() {
  wantJoined = false;
  closePeer();
  ui.join.hidden = false;
  ui.leave.hidden = true;
}

async function leave() {
  socket.emit("room:leave", { meeting_id: meetingId });
  leaveLocally();
  setState("you left the meeting");
  for (const track of localStream?.getTracks() || []) track.stop();
  window.location.assign("/dashboard");
}

// Events ---------------------------------------------------------------------------------------

socket.on("room:tracks", (event) => {
  if (event.meeting_id !== meetingId) return;
  owners = event.tracks;
  render();
});
socket.on("room:presence", (event) => {
  if (event.meeting_id !== meetingId) return;
  ui.badge.hidden = !event.observer_present;
});
socket.on("room:closed", (event) => {
  if (event.meeting_id !== meetingId) return;
  leaveLocally();
  say(event.reason);
  setState("the meeting has ended");
});
socket.on("connect", () => {
  // A new socket means the server forgot our peer: join again with a fresh one.
  if (wantJoined && pc && pc.connectionState !== "new") join();
});

ui.join.addEventListener("click", () => { retries = 0; join(); });
ui.leave.addEventListener("click", leave);
ui.mute?.addEventListener("click", () => {
  const track = localStream?.getAudioTracks()[0];
  if (track) track.enabled = !track.enabled;
  updateToggles();
});
ui.camera?.addEventListener("click", () => {
  const track = localStream?.getVideoTracks()[0];
  if (track) track.enabled = !track.enabled;
  updateToggles();
});
ui.cameraSelect?.addEventListener("change", () => switchDevice("video", ui.cameraSelect.value));
ui.micSelect?.addEventListener("change", () => switchDevice("audio", ui.micSelect.value));
ui.concernButton.addEventListener("click", () => {
  ui.concernForm.hidden = !ui.concernForm.hidden;
  if (!ui.concernForm.hidden) $("concern-description").focus();
});
ui.concernForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/concerns", {
    method: "POST", body: new FormData(ui.concernForm), headers: { Accept: "application/json" },
  });
  const result = await response.json();
  ui.concernResult.textContent = result.ok ? result.message : result.error.message;
  if (result.ok) $("concern-description").value = "";
});

await startPreview();
if (root.dataset.autoJoin === "true") join();
