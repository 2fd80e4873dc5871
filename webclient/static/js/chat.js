// Live chat: persist-then-acknowledge sending, resend with the same id, resync after reconnect.
// Message text is only ever set with textContent: it is never interpreted as HTML.

const ACK_TIMEOUT_MS = 10000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;

export function startChat(root, socket) {
  const conversationId = Number(root.dataset.conversationId);
  const userId = Number(root.dataset.userId);
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: root.dataset.timezone || undefined,
    // Like the server's rendering of the page for browsers without JavaScript ("07 Dec, 18:00").
    day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit",
  });
  const log = root.querySelector("#chat-log");
  const form = root.querySelector("#chat-form");
  const box = root.querySelector("#chat-message");
  const status = root.querySelector("#chat-status");
  const typing = root.querySelector("#chat-typing");
  const support = root.querySelector("#chat-support");
  const storageKey = `mentormeet:pending:${conversationId}`;

  const shown = new Map(); // seq -> element
  for (const item of log.querySelectorAll("li[data-seq]")) shown.set(Number(item.dataset.seq), item);
  // The page's times in the same words as the live ones (the browser's month names can differ).
  for (const when of log.querySelectorAll("time[datetime]")) {
    when.textContent = timeFormat.format(new Date(when.dateTime));
  }
  const pending = new Map(JSON.parse(sessionStorage.getItem(storageKey) || "[]")); // id -> text
  let joined = false;
  let lastTypingSent = 0;
  let typingTimer = null;
  let typingUserId = null;

  const savePending = () => sessionStorage.setItem(storageKey, JSON.stringify([...pending]));
  const lastSeq = () => Math.max(0, ...shown.keys());
  const say = (text) => { status.textContent = text; };
  const stopTyping = () => {
    clearTimeout(typingTimer);
    typing.textContent = "";
    typingUserId = null;
  };

  function element(message) {
    const item = document.createElement("li");
    const meta = document.createElement("p");
    meta.className = "meta";
    const sender = document.createElement("span");
    sender.className = "sender";
    const when = document.createElement("time");
    const state = document.createElement("span");
    state.className = "state";
    meta.append(sender, " ", when, " ", state);
    const text = document.createElement("p");
    text.className = "text";
    item.append(meta, text);
    fill(item, message);
    return item;
  }

  function fill(item, message) {
    const mine = message.sender_id === userId;
    item.className = `message ${mine ? "mine" : "theirs"} ${message.status}`;
    item.dataset.clientId = message.id;
    if (message.seq) item.dataset.seq = String(message.seq);
    item.querySelector(".sender").textContent = mine ? "You" : message.sender_name;
    const when = item.querySelector("time");
    if (message.sent_at) {
      when.dateTime = message.sent_at;
      when.textContent = timeFormat.format(new Date(message.sent_at));
    }
    item.querySelector(".state").textContent = message.review === "redacted"
      ? "Contact details removed by the safeguarding team"
      : {
        held: "Awaiting review",
        rejected: "Not delivered: the safeguarding team did not pass this message on",
        pending: "Sending…",
        failed: "Not sent",
      }[message.status] || "";
    item.querySelector(".text").textContent = message.text;
    // Where to find help, for the writer of a message kept back for a risk to them.
    item.querySelector(".support")?.remove();
    if (mine && message.support) item.append(support.content.cloneNode(true));
  }

  function place(item, seq) {
    // Keep the log in seq order; unsent messages stay at the end.
    const later = [...log.querySelectorAll("li[data-seq]")].find((li) => Number(li.dataset.seq) > seq);
    log.insertBefore(item, later || log.querySelector("li.pending") || null);
  }

  function show(message) {
    if (shown.has(message.seq)) {
      fill(shown.get(message.seq), message);
      return;
    }
    const draft = log.querySelector(`li.pending[data-client-id="${CSS.escape(message.id)}"]`);
    const item = draft || element(message);
    if (draft) {
      draft.remove();
      fill(draft, message);
    }
    shown.set(message.seq, item);
    place(item, message.seq);
    if (message.sender_id === userId) {
      pending.delete(message.id);
      savePending();
    }
    log.scrollTop = log.scrollHeight;
  }

  function markRead() {
    if (joined && document.visibilityState === "visible" && shown.size) {
      socket.emit("read", { conversation_id: conversationId, seq: lastSeq() });
    }
  }

  function transmit(id, text) {
    socket.timeout(ACK_TIMEOUT_MS).emit("send", { conversation_id: conversationId, id, text }, (err, ack) => {
      if (err) return; // no acknowledgement: resent with the same id after reconnecting
      const draft = log.querySelector(`li.pending[data-client-id="${CSS.escape(id)}"]`);
      if (ack.ok) {
        say(ack.status === "held" ? "Your message is awaiting review by the safeguarding team." : "");
        if (draft && !shown.has(ack.seq)) {
          show({
            id, seq: ack.seq, status: ack.status, support: ack.support, text, sender_id: userId,
            sent_at: new Date().toISOString(),
          });
        }
      } else {
        pending.delete(id);
        savePending();
        if (draft) fill(draft, { id, status: "failed", text, sender_id: userId });
        say(ack.error.message);
      }
    });
  }

  function draftFor(id, text) {
    const item = element({ id, status: "pending", text, sender_id: userId });
    item.classList.add("pending");
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    const id = crypto.randomUUID();
    pending.set(id, text);
    savePending();
    draftFor(id, text);
    box.value = "";
    if (joined) transmit(id, text);
    else say("Reconnecting… your message will be sent when the connection is back.");
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  box.addEventListener("input", () => {
    const now = Date.now();
    if (joined && now - lastTypingSent > TYPING_EVERY_MS) {
      lastTypingSent = now;
      socket.emit("typing", { conversation_id: conversationId });
    }
  });

  socket.on("connect", () => {
    socket.emit("join", { conversation_id: conversationId, after_seq: lastSeq() }, (ack) => {
      if (!ack || !ack.ok) {
        say(ack ? ack.error.message : "Could not open the conversation.");
        return;
      }
      joined = true;
      root.dataset.connection = "joined"; // live events reach this page from now on
      say("");
      ack.messages.forEach(show);
      // Anything never acknowledged goes again, with the same id: the server stores it once.
      for (const [id, text] of pending) {
        if (!log.querySelector(`li[data-client-id="${CSS.escape(id)}"]`)) draftFor(id, text);
        transmit(id, text);
      }
      markRead();
    });
  });
  socket.on("disconnect", () => {
    joined = false;
    root.dataset.connection = "lost";
    say("Connection lost. Reconnecting…");
  });
  socket.on("connect_error", (error) => say(`Can't connect to chat: ${error.message}`));
  socket.on("message", (message) => {
    if (message.conversation_id !== conversationId) return;
    if (message.sender_id === typingUserId) stopTyping(); // what they were typing has arrived
    show(message);
    markRead();
  });
  socket.on("typing", (event) => {
    if (event.conversation_id !== conversationId) return;
    typing.textContent = `${event.name} is typing…`;
    typingUserId = event.user_id;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS);
  });
  document.addEventListener("visibilitychange", markRead);
  form.querySelector("input[name=client_id]")?.remove(); // only the no-JavaScript form needs it
}
