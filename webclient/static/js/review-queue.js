// The review queue, live: new held or flagged messages appear at the top without a reload, and
// items decided by another lead disappear. Fetching an item is itself an audited read.
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

socket.on("safeguarding_alert", (alert) => {
  if (alert.type === "decided") {
    document.getElementById(`queue-item-${alert.message_id}`)?.remove();
    refreshEmpty();
  } else if (alert.message_id) {
    addItem(alert.message_id);
  }
});
