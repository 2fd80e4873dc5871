// One Socket.IO connection per page, authenticated by the session cookie.
import { io } from "/vendor/socket.io-client/dist/socket.io.esm.min.js";

export function connectSocket() {
  return io({
    path: "/socket.io",
    // WebSocket first; long-polling when a school network blocks WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
}
