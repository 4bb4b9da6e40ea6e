// One WebSocket for everything the user may see, reconnecting with backoff; while it
// cannot connect, /api/status is polled so the page stays current.
import { api, pageHeld } from "./api.js";

const POLL_MS = 5000;
const MAX_BACKOFF_MS = 30000;

export function connectLive({ onSync, onProgress, onStatus, onConnection }) {
  let backoff = 1000;
  let pollTimer = null;

  const poll = async () => {
    try {
      onSync(await api("GET", "/api/status"));
    } catch (failure) {
      if (failure.status === 401 && !pageHeld()) location.assign("/login");
    }
  };
  const startPolling = () => {
    if (pollTimer === null) {
      poll();
      pollTimer = setInterval(poll, POLL_MS);
    }
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = null;
  };

  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${location.host}/api/ws`);
    } catch {
      // Refused before it started (a proxy's policy, a browser setting): poll, retry.
      retry();
      return;
    }
    socket.addEventListener("open", () => {
      backoff = 1000;
      stopPolling();
      onConnection("live");
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      switch (message.type) {
        case "sync": onSync(message); break;
        case "progress": onProgress(message); break;
        case "status_change": onStatus(message); break;
        case "ping": socket.send(JSON.stringify({ type: "pong" })); break;
        default: break;
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 1008) {
        // The credentials no longer hold; a page showing the new key stays until it is read.
        if (pageHeld()) onConnection("signed-out");
        else location.assign("/login");
        return;
      }
      retry();
    });
  };
  const retry = () => {
    onConnection("offline");
    startPolling();
    setTimeout(open, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };
  open();
}
