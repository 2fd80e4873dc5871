// Live safeguarding alerts on the DSL's dashboard: what was screened and why, never the text
// (reading a conversation is a separate, audited step).
import { connectSocket } from "/static/js/socket.js";

const list = document.getElementById("live-alerts");
const status = document.getElementById("live-status");
const socket = connectSocket();

// The lead should know whether silence means nothing happened or nothing is arriving.
socket.on("connect", () => {
  status.textContent = "Live: new alerts appear here as they happen (keep this page open).";
});
socket.on("disconnect", () => {
  const when = new Date().toLocaleTimeString(document.documentElement.lang);
  status.textContent = `Not connected since ${when}, reconnecting… Anything held meanwhile waits in the review queue.`;
});
socket.on("safeguarding_alert", (alert) => {
  const item = document.createElement("li");
  const when = new Date(alert.sent_at || Date.now()).toLocaleTimeString(document.documentElement.lang);
  if (alert.type === "concern") {
    item.textContent = `${when}: ${alert.raised_by} raised a concern.`;
  } else {
    const what = alert.verdict === "HOLD" ? "Message held for review" : "Message flagged (delivered)";
    item.textContent = `${when}: ${what} from ${alert.sender_name} — ${alert.reasons.join(", ")}.`;
  }
  list.prepend(item);
  list.hidden = false;
});
