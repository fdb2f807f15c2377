// Go Live studio: camera preview and device pickers, then MediaRecorder chunks over
// the publishing WebSocket (protocol: docs/realtime-protocol.md). Also the OBS panel's copy,
// reveal and confirm buttons.
const MIME_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
const CHUNK_MILLISECONDS = 500;
const CLOSE_REFUSED = 4403;

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = document.querySelector(button.dataset.copy);
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.type = "text";
      input.select();
      document.execCommand("copy");
    }
    button.textContent = "✓";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
}

for (const button of document.querySelectorAll("[data-reveal]")) {
  const input = document.querySelector(button.dataset.reveal);
  const showLabel = button.textContent;
  button.addEventListener("click", () => {
    const revealed = input.type === "password";
    input.type = revealed ? "text" : "password";
    button.setAttribute("aria-pressed", String(revealed));
    button.textContent = revealed ? "••••" : showLabel;
  });
}

for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

const studio = document.querySelector("[data-studio]");
if (studio) setUpCameraStudio(studio);

function setUpCameraStudio(root) {
  const form = root.querySelector("[data-go-live-form]");
  const preview = root.querySelector("[data-preview]");
  const placeholder = root.querySelector("[data-preview-placeholder]");
  const cameraSelect = root.querySelector("[data-camera-select]");
  const microphoneSelect = root.querySelector("[data-microphone-select]");
  const enableButton = root.querySelector("[data-enable-camera]");
  const startButton = root.querySelector("[data-start]");
  const stopButton = root.querySelector("[data-stop]");
  const watchLink = root.querySelector("[data-watch-link]");
  const statusLine = root.querySelector("[data-status]");
  const errorLine = root.querySelector("[data-error]");
  const liveBadge = root.querySelector("[data-live-badge]");
  const resumeMilliseconds = Number(root.dataset.resumeSeconds || 60) * 1000;
  const messages = JSON.parse(document.getElementById("studio-messages").textContent);

  let mediaStream = null;
  let socket = null;
  let recorder = null;
  let session = null; // {stream_id, publish_path, watch_url, stop_url}
  let stopping = false;
  let droppedAt = null;
  let retryDelay = 1000;

  const setStatus = (text) => { statusLine.textContent = text; };
  const showError = (text) => {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  };

  async function openCamera() {
    showError("");
    if (mediaStream) mediaStream.getTracks().forEach((track) => track.stop());
    const video = cameraSelect.value ? { deviceId: { exact: cameraSelect.value } } : true;
    const audio = microphoneSelect.value ? { deviceId: { exact: microphoneSelect.value } } : true;
    try {
      mediaStream = await navigator.mediaDevices.getUserMedia({
        video: video === true ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } : video,
        audio,
      });
    } catch (error) {
      showError(messages.camera_denied);
      throw error;
    }
    preview.srcObject = mediaStream;
    placeholder.hidden = true;
    enableButton.hidden = true;
    await listDevices();
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    fillSelect(cameraSelect, devices.filter((d) => d.kind === "videoinput"), mediaStream?.getVideoTracks()[0]);
    fillSelect(microphoneSelect, devices.filter((d) => d.kind === "audioinput"), mediaStream?.getAudioTracks()[0]);
  }

  function fillSelect(select, devices, activeTrack) {
    const activeId = activeTrack?.getSettings().deviceId;
    select.replaceChildren(...devices.map((device, index) => {
      const option = new Option(device.label || `${select.labels[0]?.textContent || ""} ${index + 1}`, device.deviceId);
      option.selected = device.deviceId === activeId;
      return option;
    }));
  }

  function clearFieldErrors() {
    for (const node of form.querySelectorAll(".field__error[data-from-server]")) node.remove();
    for (const node of form.querySelectorAll(".field--invalid")) node.classList.remove("field--invalid");
  }

  function showFieldErrors(errors) {
    for (const [name, list] of Object.entries(errors)) {
      const input = name === "__all__" ? null : form.elements.namedItem(name);
      if (!input) {
        showError(list.join(" "));
        continue;
      }
      const field = input.closest(".field");
      field.classList.add("field--invalid");
      for (const text of list) {
        const line = document.createElement("p");
        line.className = "field__error";
        line.dataset.fromServer = "";
        line.setAttribute("role", "alert");
        line.textContent = text;
        field.append(line);
      }
    }
  }

  async function start(event) {
    event.preventDefault();
    clearFieldErrors();
    showError("");
    if (!mediaStream) {
      try { await openCamera(); } catch { return; }
    }
    startButton.disabled = true;
    setStatus(messages.preparing);
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      startButton.disabled = false;
      setStatus("");
      showFieldErrors(body.errors || { __all__: [messages.failed] });
      return;
    }
    session = body;
    stopping = false;
    watchLink.href = session.watch_url;
    connect();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${session.publish_path}`);
    socket.addEventListener("message", (event) => handleMessage(JSON.parse(event.data)));
    socket.addEventListener("close", handleClose);
  }

  function handleMessage(message) {
    if (message.type === "publish.ready") {
      droppedAt = null;
      retryDelay = 1000;
      startRecorder();
      setStatus(messages.connecting);
      stopButton.hidden = false;
      startButton.hidden = true;
      watchLink.hidden = false;
    } else if (message.type === "publish.live") {
      liveBadge.hidden = false;
      setStatus(messages.live);
    } else if (message.type === "publish.ended") {
      finished(messages.ended);
    } else if (message.type === "error") {
      showError(message.message);
    }
  }

  function handleClose(event) {
    stopRecorder();
    if (stopping || event.code === CLOSE_REFUSED || event.code === 4000) {
      if (!stopping && event.code === CLOSE_REFUSED) finished("");
      return;
    }
    // The connection dropped: the stream waits (interrupted) while we reconnect.
    droppedAt ??= Date.now();
    liveBadge.hidden = true;
    if (Date.now() - droppedAt > resumeMilliseconds) {
      finished(messages.lost);
      return;
    }
    setStatus(messages.reconnecting);
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  }

  function startRecorder() {
    const mimeType = MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    recorder = new MediaRecorder(mediaStream, { mimeType, videoBitsPerSecond: 2_500_000, audioBitsPerSecond: 128_000 });
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size && socket?.readyState === WebSocket.OPEN) socket.send(event.data);
    });
    recorder.start(CHUNK_MILLISECONDS);
  }

  function stopRecorder() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    recorder = null;
  }

  function stop() {
    stopping = true;
    stopButton.disabled = true;
    setStatus(messages.ending);
    stopRecorder();
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "publish.stop" }));
    } else {
      endWithBeacon();
      finished(messages.ended);
    }
  }

  function finished(text) {
    stopping = true;
    stopRecorder();
    liveBadge.hidden = true;
    stopButton.hidden = true;
    stopButton.disabled = false;
    startButton.hidden = false;
    startButton.disabled = false;
    if (text) setStatus(text);
  }

  function endWithBeacon() {
    if (!session) return;
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
    navigator.sendBeacon(session.stop_url, data);
  }

  const isPublishing = () => Boolean(session) && !stopping;

  enableButton.addEventListener("click", () => openCamera().catch(() => {}));
  cameraSelect.addEventListener("change", () => { if (!isPublishing()) openCamera().catch(() => {}); });
  microphoneSelect.addEventListener("change", () => { if (!isPublishing()) openCamera().catch(() => {}); });
  form.addEventListener("submit", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("beforeunload", (event) => {
    if (isPublishing()) event.preventDefault();
  });
  // Closing the tab ends the stream at once rather than after the reconnect grace.
  window.addEventListener("pagehide", () => {
    if (isPublishing()) endWithBeacon();
  });
}
