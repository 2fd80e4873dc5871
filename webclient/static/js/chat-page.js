import { connectSocket } from "/static/js/socket.js";
import { startChat } from "/static/js/chat.js";

startChat(document.getElementById("chat"), connectSocket());
