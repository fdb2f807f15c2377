// The chat composer: Enter sends, a counter near the limit, the emote picker, and why
// it is disabled (visitor, restricted, disconnected, closed). Server errors show inline;
// those with retry_after count down and re-enable sending.
import { element, setMessage } from "./dom.js";
import { formatNumber } from "./strings.js";

// Show the counter from this many characters before the limit.
const COUNTER_MARGIN = 50;
const PENDING_NOTICE_SECONDS = 10;

export class Composer {
  /** @param {object} room  t, emotes, send(body) -> bool */
  constructor(root, room) {
    this.room = room;
    this.form = root.querySelector("[data-room-composer]");
    this.input = root.querySelector("[data-room-input]");
    this.sendButton = root.querySelector("[data-room-send]");
    this.note = root.querySelector("[data-room-composer-note]");
    this.signIn = root.querySelector("[data-room-sign-in]");
    this.counter = root.querySelector("[data-room-counter]");
    this.error = root.querySelector("[data-room-error]");
    this.pending = root.querySelector("[data-room-pending]");
    this.closedNote = root.querySelector("[data-room-closed]");
    this.pickerButton = root.querySelector("[data-emote-picker-button]");
    this.picker = root.querySelector("[data-emote-picker]");
    this.maxLength = Number(this.input.maxLength) || 500;
    this.state = { mode: "connecting", note: "" };
    this.waitUntil = 0; // sending paused (retry_after, slow mode) until this time
    this.waitKind = "";
    this.waitTimer = null;
    this.pendingTimer = null;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
      // Chat lines are one line: Enter sends and Shift+Enter adds nothing.
      event.preventDefault();
      if (!event.shiftKey) this.submit();
    });
    this.input.addEventListener("input", () => this.updateCounter());
    this.pickerButton.addEventListener("click", () => (this.picker.hidden ? this.openPicker() : this.closePicker(true)));
    this.picker.addEventListener("keydown", (event) => this.onPickerKey(event));
    this.picker.addEventListener("click", (event) => {
      const button = event.target.closest("[data-emote-code]");
      if (button) this.insertEmote(button.dataset.emoteCode);
    });
    this.picker.addEventListener("focusout", (event) => {
      if (!this.picker.hidden && !this.picker.contains(event.relatedTarget) && event.relatedTarget !== this.pickerButton) {
        this.closePicker(false);
      }
    });
    document.addEventListener("click", (event) => {
      if (!this.picker.hidden && !this.picker.contains(event.target) && !this.pickerButton.contains(event.target)) {
        this.closePicker(false);
      }
    });
    this.apply();
  }

  setLimit(maxLength) {
    if (Number.isInteger(maxLength) && maxLength > 0) {
      this.maxLength = maxLength;
      this.input.maxLength = maxLength;
      this.updateCounter();
    }
  }

  /**
   * mode: "ready", "visitor", "restricted" (note says why), "offline", "connecting", "closed".
   */
  setState(mode, note = "") {
    this.state = { mode, note };
    this.apply();
  }

  apply() {
    const { mode, note } = this.state;
    const closed = mode === "closed";
    this.form.hidden = closed || mode === "connecting";
    this.closedNote.hidden = !closed;
    const canType = mode === "ready" || mode === "offline";
    this.input.disabled = !canType;
    this.pickerButton.disabled = !canType || this.room.emotes.size === 0;
    if (!canType) this.closePicker(false);
    this.signIn.hidden = mode !== "visitor";
    let explanation = note;
    if (mode === "offline") explanation = this.room.t("offline_note");
    if (mode === "ready" && this.waitUntil > Date.now()) explanation = this.waitText();
    setMessage(this.note, explanation);
    this.sendButton.disabled = mode !== "ready" || this.waitUntil > Date.now();
  }

  submit() {
    if (this.sendButton.disabled) return;
    // Newlines become spaces: a chat line is one line.
    const body = this.input.value.replace(/\s*[\r\n]+\s*/g, " ").trim();
    if (!body) return;
    if (!this.room.send(body)) return;
    this.input.value = "";
    this.updateCounter();
    setMessage(this.error, "");
    this.pending.hidden = true;
    this.closePicker(false);
  }

  /** The server refused a message: say why (with a link to act on it, e.g. subscribe),
   * give the text back, wait if told to. */
  refused(message, { body = "", retryAfter = null, link = null } = {}) {
    setMessage(this.error, message);
    if (message && link) {
      this.error.append(" ", element("a", { href: link.href, textContent: link.label }));
    }
    if (body && !this.input.value) {
      this.input.value = body;
      this.updateCounter();
    }
    if (typeof retryAfter === "number" && retryAfter > 0) this.pause(retryAfter, "retry");
  }

  showError(message) {
    setMessage(this.error, message);
  }

  /** Sent; in slow mode the sender waits before the next one. */
  accepted(slowModeSeconds) {
    setMessage(this.error, "");
    if (slowModeSeconds > 0) this.pause(slowModeSeconds, "slow");
  }

  held() {
    this.pending.hidden = false;
    window.clearTimeout(this.pendingTimer);
    this.pendingTimer = window.setTimeout(() => {
      this.pending.hidden = true;
    }, PENDING_NOTICE_SECONDS * 1000);
  }

  pause(seconds, kind) {
    this.waitUntil = Math.max(this.waitUntil, Date.now() + seconds * 1000);
    this.waitKind = kind;
    window.clearInterval(this.waitTimer);
    const tick = () => {
      if (Date.now() >= this.waitUntil) {
        window.clearInterval(this.waitTimer);
        this.waitUntil = 0;
        if (this.waitKind === "retry") setMessage(this.error, "");
      }
      this.apply();
    };
    this.waitTimer = window.setInterval(tick, 250);
    tick();
  }

  waitText() {
    const seconds = formatNumber(Math.ceil((this.waitUntil - Date.now()) / 1000));
    return this.room.t(this.waitKind === "slow" ? "slow_wait" : "retry_in", { seconds });
  }

  updateCounter() {
    const length = [...this.input.value].length;
    const near = length >= this.maxLength - COUNTER_MARGIN;
    this.counter.hidden = !near;
    this.counter.textContent = near ? `${formatNumber(length)}/${formatNumber(this.maxLength)}` : "";
    this.counter.classList.toggle("room__counter--limit", length >= this.maxLength);
  }

  // --- Emote picker ------------------------------------------------------------

  setEmotes(emotes) {
    const buttons = [...emotes.values()].map((emote, index) => {
      const button = element(
        "button",
        {
          type: "button",
          className: "room__emote",
          tabIndex: index === 0 ? 0 : -1,
          title: `:${emote.code}:`,
          attributes: { "aria-label": `${emote.name} :${emote.code}:` },
        },
        element("img", { src: emote.url, alt: "", width: 30, height: 30, draggable: false }),
      );
      button.dataset.emoteCode = emote.code;
      return button;
    });
    this.picker.replaceChildren(...buttons);
    this.apply();
  }

  openPicker() {
    if (this.pickerButton.disabled) return;
    this.picker.hidden = false;
    this.pickerButton.setAttribute("aria-expanded", "true");
    (this.picker.querySelector('[tabindex="0"]') ?? this.picker.querySelector("button"))?.focus();
  }

  closePicker(returnFocus) {
    if (this.picker.hidden) return;
    this.picker.hidden = true;
    this.pickerButton.setAttribute("aria-expanded", "false");
    if (returnFocus) this.pickerButton.focus();
  }

  onPickerKey(event) {
    const buttons = [...this.picker.querySelectorAll("[data-emote-code]")];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      this.closePicker(true);
      return;
    }
    if (index < 0) return;
    const columns = Math.max(1, buttons.filter((button) => button.offsetTop === buttons[0].offsetTop).length);
    const rtl = getComputedStyle(this.picker).direction === "rtl";
    const moves = {
      ArrowRight: rtl ? -1 : 1,
      ArrowLeft: rtl ? 1 : -1,
      ArrowDown: columns,
      ArrowUp: -columns,
    };
    let next = null;
    if (event.key in moves) next = Math.min(buttons.length - 1, Math.max(0, index + moves[event.key]));
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = buttons.length - 1;
    if (next === null) return;
    event.preventDefault();
    buttons[index].tabIndex = -1;
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  }

  insertEmote(code) {
    const input = this.input;
    const text = `:${code}:`;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const before = input.value.slice(0, start);
    const after = input.value.slice(end);
    const insert = `${before && !/\s$/.test(before) ? " " : ""}${text}${after.startsWith(" ") ? "" : " "}`;
    if ([...before, ...insert, ...after].length > this.maxLength) return;
    input.value = before + insert + after;
    const caret = (before + insert).length;
    this.closePicker(false);
    input.focus();
    input.setSelectionRange(caret, caret);
    this.updateCounter();
  }
}
