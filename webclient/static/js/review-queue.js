// The review queue, live: new held or flagged messages appear at the top without a reload, and
// items decided by another lead disappear. Fetching an item is itself an audited read. Each time
// the socket (re)connects, the console catches up on what it could not hear: after a decision
// reloads the page, or while the connection was down.
import { connectSocket } from "/static/js/socket.js";

const queue = document.getElementById("queue");
const empty = document.getElementById("queue-empty");
const status = document.getElementById("queue-status");
const socket = connectSocket();

function refreshEmpty() {
  empty.hidden = queue.querySelector(".queue-item") !== null;
}

async function addItem(messageId) {
  if (document.getElementById(`queue-item-${messageId}`)) return;
  const response = await fetch(`/safeguarding/queue/${messageId}`, { credentials: "same-origin" });
  if (response.status !== 200) return;
  const template = document.createElement("template");
  template.innerHTML = await response.text();
  const item = template.content.firstElementChild;
  if (!item || document.getElementById(item.id)) return;
  queue.prepend(item);
  refreshEmpty();
  status.textContent = `New: ${item.getAttribute("aria-label")}.`;
}

function renderedIds() {
  return [...queue.querySelectorAll(".queue-item")].map((item) => item.dataset.messageId);
}

async function catchUp() {
  const before = new Set(renderedIds());
  const response = await fetch("/safeguarding/queue", { credentials: "same-origin" });
  if (response.status !== 200) return;
  const waiting = (await response.json()).message_ids.map(String);
  const stillWaiting = new Set(waiting);
  // Only what was shown before asking can be stale; a live alert may have added an item since.
  for (const id of before) {
    if (!stillWaiting.has(id)) document.getElementById(`queue-item-${id}`)?.remove();
  }
  refreshEmpty();
  for (const id of waiting.filter((id) => !before.has(id)).reverse()) await addItem(id);
  // Newest first, as the server ordered them (an older item can come back into the first 50);
  // items that arrived live meanwhile are newer still and stay on top.
  const live = [...queue.querySelectorAll(".queue-item")].filter(
    (item) => !stillWaiting.has(item.dataset.messageId),
  );
  for (const id of waiting) {
    const item = document.getElementById(`queue-item-${id}`);
    if (item) queue.append(item);
  }
  queue.prepend(...live);
}

socket.on("connect", catchUp);

socket.on("safeguarding_alert", (alert) => {
  if (alert.type === "decided") {
    document.getElementById(`queue-item-${alert.message_id}`)?.remove();
    refreshEmpty();
  } else if (alert.message_id) {
    addItem(alert.message_id);
  }
});
