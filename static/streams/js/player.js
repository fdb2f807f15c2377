// The stream page: plays live HLS, keeps the viewer count and status fresh, and
// tells the server when the viewer leaves. Everything it needs comes from the
// data- attributes of [data-watch] (templates/streams/watch.html).

// The playlist appears ~2 s after go-live; retry quickly so a viewer sees video soon.
const RETRY_DELAYS_MS = [1000, 1000, 2000, 2000, 3000];
// A page waiting for a scheduled stream asks often, so it starts within seconds of go-live.
const SCHEDULED_POLL_SECONDS = 3;
const ACTIVE_STATUSES = new Set(["live", "interrupted"]);
const HLS_MIME_TYPE = "application/vnd.apple.mpegurl";

const root = document.querySelector("[data-watch]");
if (root) {
  setUpCopyButtons(root);
  setUpConfirmForms(root);
  setUpCountdown(root);
  watch(root);
}

function watch(root) {
  let status = root.dataset.status;
  const video = root.querySelector("video[data-live-player]");
  const player = video && ACTIVE_STATUSES.has(status) ? createLivePlayer(root, video) : null;
  if (status === "ended") return;

  const onStatus = (next) => {
    if (next === status) return;
    const previous = status;
    status = next;
    if (next === "ended" || !ACTIVE_STATUSES.has(previous)) {
      // Ended (show the ended state and any VOD) or just went live: the server
      // renders the new state.
      player?.stop();
      window.location.reload();
      return;
    }
    showForStatus(root, next);
    if (next === "live") player?.resumeIfStalled();
  };
  startHeartbeat(root, onStatus);
  // The room socket (room.js) hears of status changes first.
  document.addEventListener("room:stream-status", (event) => onStatus(event.detail.status));
}

// --- Player ------------------------------------------------------------------

function createLivePlayer(root, video) {
  const playlistUrl = root.dataset.playlistUrl;
  const loading = root.querySelector("[data-loading-overlay]");
  let hls = null;
  let retryTimer = null;
  let attempts = 0;
  let stopped = false;

  const scheduleRetry = () => {
    if (stopped) return;
    window.clearTimeout(retryTimer);
    const delay = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length - 1)];
    attempts += 1;
    retryTimer = window.setTimeout(load, delay);
  };

  const load = () => {
    if (stopped) return;
    const Hls = window.Hls;
    if (Hls && Hls.isSupported()) {
      hls?.destroy();
      hls = new Hls({
        liveSyncDurationCount: 2,
        // The playlist appears a few seconds after go-live; we retry ourselves
        // (scheduleRetry) rather than letting one 404 end playback.
        manifestLoadPolicy: {
          default: {
            maxTimeToFirstByteMs: 10000,
            maxLoadTimeMs: 20000,
            timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
            errorRetry: { maxNumRetry: 0, retryDelayMs: 1000, maxRetryDelayMs: 8000 },
          },
        },
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        attempts = 0;
        play(video, root);
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
          return;
        }
        hls.destroy();
        hls = null;
        scheduleRetry();
      });
      hls.loadSource(playlistUrl);
      hls.attachMedia(video);
    } else if (video.canPlayType(HLS_MIME_TYPE)) {
      video.src = playlistUrl;
      video.load();
      play(video, root);
    } else {
      loading?.setAttribute("hidden", "");
      root.querySelector("[data-unsupported]")?.removeAttribute("hidden");
    }
  };

  // Native HLS (Safari, iOS) reports a missing playlist as a media error.
  video.addEventListener("error", () => {
    if (!hls && video.getAttribute("src")) scheduleRetry();
  });
  video.addEventListener("playing", () => {
    attempts = 0;
    loading?.setAttribute("hidden", "");
  });
  setUpUnmute(root, video);
  load();

  return {
    stop() {
      stopped = true;
      window.clearTimeout(retryTimer);
      hls?.destroy();
      hls = null;
      video.pause();
      video.removeAttribute("src");
      video.load();
    },
    resumeIfStalled() {
      if (video.paused || video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) {
        attempts = 0;
        load();
      }
    },
  };
}

function play(video, root) {
  const attempt = video.play();
  if (attempt && typeof attempt.catch === "function") {
    // Autoplay can still be refused (data saver, policy): the controls remain.
    attempt.catch(() => root.querySelector("[data-loading-overlay]")?.setAttribute("hidden", ""));
  }
}

function setUpUnmute(root, video) {
  const button = root.querySelector("[data-unmute]");
  if (!button) return;
  const sync = () => button.toggleAttribute("hidden", !video.muted);
  button.addEventListener("click", () => {
    video.muted = false;
    if (video.paused) video.play().catch(() => {});
    video.focus();
  });
  video.addEventListener("volumechange", sync);
  sync();
}

function showForStatus(root, status) {
  for (const element of root.querySelectorAll("[data-show-when]")) {
    element.toggleAttribute("hidden", element.dataset.showWhen !== status);
  }
}

// --- Heartbeat and leave -----------------------------------------------------

function startHeartbeat(root, onStatus) {
  const url = root.dataset.heartbeatUrl;
  const seconds =
    root.dataset.status === "scheduled"
      ? SCHEDULED_POLL_SECONDS
      : Number(root.dataset.heartbeatSeconds) || 15;
  const token = root.dataset.csrfToken;
  const counts = root.querySelectorAll("[data-viewer-count]");
  const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);

  const beat = async () => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      // While the room socket is open its live presence count wins (room.js).
      const roomOpen = document.querySelector("[data-room][data-room-open]");
      if (!roomOpen && typeof data.viewers === "number") {
        for (const count of counts) count.textContent = numberFormat.format(data.viewers);
      }
      onStatus(data.status);
    } catch {
      // Offline for a moment: the next beat tries again.
    }
  };

  let timer = null;
  const begin = () => {
    window.clearInterval(timer);
    beat();
    timer = window.setInterval(beat, seconds * 1000);
  };
  begin();

  window.addEventListener("pagehide", () => {
    window.clearInterval(timer);
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    navigator.sendBeacon?.(root.dataset.leaveUrl, body);
  });
  // Back/forward cache: the page comes back without reloading.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) begin();
  });
}

// --- Small helpers -----------------------------------------------------------

function setUpCopyButtons(root) {
  const status = root.querySelector("[data-copy-status]");
  for (const button of root.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    const label = button.textContent;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        // No clipboard permission: select the text so the viewer can copy it.
        input.select();
        return;
      }
      button.textContent = button.dataset.copiedLabel;
      if (status) status.textContent = button.dataset.copiedLabel;
      window.setTimeout(() => {
        button.textContent = label;
      }, 2000);
    });
  }
}

function setUpConfirmForms(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

function setUpCountdown(root) {
  const time = root.querySelector("time[data-countdown]");
  if (!time || typeof Intl.RelativeTimeFormat !== "function") return;
  const startsAt = new Date(time.dateTime).getTime();
  if (Number.isNaN(startsAt)) return;
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
    numeric: "auto",
  });
  const units = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1],
  ];
  const render = () => {
    const seconds = Math.round((startsAt - Date.now()) / 1000);
    const [unit, size] = units.find(([, size]) => Math.abs(seconds) >= size) || units[3];
    time.textContent = format.format(Math.round(seconds / size), unit);
  };
  render();
  window.setInterval(render, 1000);
}
