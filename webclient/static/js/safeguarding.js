// Live safeguarding alerts on the DSL's dashboard: what was screened and why, never the text
// (reading a conversation is a separate, audited step).
import { connectSocket } from "/static/js/socket.js";

const list = document.getElementById("live-alerts");
const socket = connectSocket();
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
