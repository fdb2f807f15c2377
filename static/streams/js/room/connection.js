// The room socket (docs/realtime-protocol.md, "The live room"): connects, applies the
// replayable frames in `seq` order exactly once, resumes after a gap or a dropped
// connection with ?last_seq=, reconnects with back-off and keeps the socket alive.

const PROTOCOL_VERSION = 1;
const RETRY_SECONDS = [1, 2, 4, 8, 16, 30];
const PING_SECONDS = 25;
// No frame at all for this long (not even a pong) means the connection is dead.
const SILENCE_SECONDS = 65;
// A room.resume that gets no welcome within this long: reconnect instead.
const RESUME_TIMEOUT_SECONDS = 10;
const CLOSE_FINISHED = 4000;
const CLOSE_REFUSED = 4403;
const CLOSE_NOT_FOUND = 4404;
const MAX_PENDING_REFS = 100;

export class RoomConnection {
  /**
   * @param {string} path  e.g. "/ws/streams/42/"
   * @param {object} handlers  onWelcome(frame), onFrame(frame), onState(state, detail)
   *   where state is "connecting", "reconnecting" ({seconds}), "open", "closed",
   *   "not_found", "refused" or "outdated".
   */
  constructor(path, { onWelcome, onFrame, onState }) {
    this.path = path;
    this.onWelcome = onWelcome;
    this.onFrame = onFrame;
    this.onState = onState;
    this.socket = null;
    this.lastSeq = null;
    this.attempt = 0;
    this.welcomed = false;
    this.stopped = false;
    this.resumeTimer = null;
    this.retryTimer = null;
    this.countdownTimer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.refCounter = 0;
    this.pending = new Map(); // ref -> context given to request()

    window.addEventListener("online", () => this.retryNow());
    window.addEventListener("pagehide", () => this.pause());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.retryNow();
    });
  }

  get isOpen() {
    return this.welcomed && this.socket?.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped || this.socket) return;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.countdownTimer);
    this.onState(this.lastSeq === null && this.attempt === 0 ? "connecting" : "reconnecting", {});
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const url = new URL(this.path, `${scheme}//${window.location.host}`);
    if (this.lastSeq !== null) url.searchParams.set("last_seq", String(this.lastSeq));

    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    socket.addEventListener("open", () => {
      this.lastFrameAt = Date.now();
      this.startPing();
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object" && typeof frame.type === "string") this.receive(frame);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.welcomed = false;
      this.stopPing();
      window.clearTimeout(this.resumeTimer);
      this.resumeTimer = null;
      if (this.stopped) return;
      if (event.code === CLOSE_NOT_FOUND) return this.halt("not_found");
      if (event.code === CLOSE_REFUSED) return this.halt("refused");
      if (event.code === CLOSE_FINISHED) return this.halt("closed");
      this.scheduleReconnect();
    });
  }

  /** Stop for good (the stream ended, or the page is going away for ever). */
  stop() {
    this.halt("closed");
  }

  halt(state) {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.countdownTimer);
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    socket?.close(1000);
    this.onState(state, {});
  }

  /** The page is hidden in the back/forward cache: close, and come back on pageshow. */
  pause() {
    if (this.stopped || !this.socket) return;
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    this.stopPing();
    socket.close(1000);
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  scheduleReconnect() {
    const base = RETRY_SECONDS[Math.min(this.attempt, RETRY_SECONDS.length - 1)];
    this.attempt += 1;
    // A little jitter so a room's viewers do not all come back in the same instant.
    const seconds = Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
    const retryAt = Date.now() + seconds * 1000;
    const tell = () =>
      this.onState("reconnecting", { seconds: Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)) });
    tell();
    window.clearInterval(this.countdownTimer);
    this.countdownTimer = window.setInterval(tell, 1000);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      window.clearInterval(this.countdownTimer);
      this.connect();
    }, seconds * 1000);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = window.setInterval(() => {
      if (Date.now() - this.lastFrameAt > SILENCE_SECONDS * 1000) {
        this.socket?.close(); // the close handler reconnects
        return;
      }
      this.send({ type: "ping" });
    }, PING_SECONDS * 1000);
  }

  stopPing() {
    window.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Send a frame; false when the socket is not open. */
  send(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Send a frame with a `ref`; the answer or error to it finds `context` again
   * through takeRequest(ref). Returns the ref, or null when not sent. */
  request(frame, context = {}) {
    const ref = `r${++this.refCounter}`;
    if (!this.send({ ...frame, ref })) return null;
    this.pending.set(ref, { ...context, type: frame.type });
    if (this.pending.size > MAX_PENDING_REFS) {
      this.pending.delete(this.pending.keys().next().value);
    }
    return ref;
  }

  takeRequest(ref) {
    if (typeof ref !== "string" || !this.pending.has(ref)) return null;
    const context = this.pending.get(ref);
    this.pending.delete(ref);
    return context;
  }

  receive(frame) {
    if (typeof frame.v === "number" && Math.floor(frame.v) > PROTOCOL_VERSION) {
      this.halt("outdated");
      return;
    }
    if (frame.type === "room.welcome") {
      window.clearTimeout(this.resumeTimer);
      this.resumeTimer = null;
      if (!frame.resumed || this.lastSeq === null) {
        // A full welcome: everything shown is replaced, numbering starts from here.
        this.lastSeq = Number(frame.seq) || 0;
      }
      // A resumed welcome is followed by the missed frames, numbered from lastSeq + 1.
      this.welcomed = true;
      this.attempt = 0;
      window.clearInterval(this.countdownTimer);
      this.onWelcome(frame);
      this.onState("open", {});
      return;
    }
    if (isReplayable(frame)) {
      if (!this.welcomed || this.lastSeq === null || frame.seq <= this.lastSeq) return;
      if (frame.seq > this.lastSeq + 1) {
        this.resume();
        return;
      }
      this.lastSeq = frame.seq;
    }
    this.onFrame(frame);
  }

  /** Ask for the frames after lastSeq (a gap); the answer is a welcome. */
  resume() {
    if (this.resumeTimer !== null) return;
    if (!this.send({ type: "room.resume", last_seq: this.lastSeq })) return;
    this.resumeTimer = window.setTimeout(() => {
      this.resumeTimer = null;
      this.socket?.close(); // no answer: reconnect with ?last_seq instead
    }, RESUME_TIMEOUT_SECONDS * 1000);
  }
}

/** Replayable frames carry the room's `seq`. An answer to this client (an ack, which
 * echoes our `ref`) may carry a `seq` too (chat.ack: the message's), but is not one. */
function isReplayable(frame) {
  return typeof frame.seq === "number" && frame.type !== "chat.ack" && frame.ref === undefined;
}
