// The Moderation tab: messages AutoMod holds (approve/deny), the chat modes, who is
// watching, and clearing the chat. Shown to the host and moderators only.
import { element, fromTemplate, setMessage } from "./dom.js";
import { formatNumber, formatPercent } from "./strings.js";

export class Moderation {
  /** @param {object} room  t, request(frame, context), isOpenForActions() */
  constructor(root, room) {
    this.root = root;
    this.room = room;
    this.held = new Map(); // message id -> {message, reason}
    this.heldList = root.querySelector("[data-held-list]");
    this.heldEmpty = root.querySelector("[data-held-empty]");
    this.heldCount = root.querySelector("[data-held-count]");
    this.error = root.querySelector("[data-moderation-error]");
    this.slow = root.querySelector("[data-mode-slow]");
    this.followers = root.querySelector("[data-mode-followers]");
    this.emoteOnly = root.querySelector("[data-mode-emote-only]");
    this.subscribersOnly = root.querySelector("[data-mode-subscribers-only]");
    this.presenceButton = root.querySelector("[data-presence-button]");
    this.presenceResult = root.querySelector("[data-presence-result]");
    this.presenceSummary = root.querySelector("[data-presence-summary]");
    this.presenceList = root.querySelector("[data-presence-list]");
    this.clearButton = root.querySelector("[data-mod-clear]");
    this.modes = {};

    this.slow.addEventListener("change", () =>
      this.setModes({ slow_mode_seconds: Number(this.slow.value) }));
    this.followers.addEventListener("change", () =>
      this.setModes({ followers_only_minutes: this.followers.value === "" ? null : Number(this.followers.value) }));
    this.emoteOnly.addEventListener("change", () => this.setModes({ emote_only: this.emoteOnly.checked }));
    this.subscribersOnly.addEventListener("change", () =>
      this.setModes({ subscribers_only: this.subscribersOnly.checked }));
    this.presenceButton.addEventListener("click", () => {
      setMessage(this.error, "");
      this.room.request({ type: "presence.list" }, { area: "moderation" });
    });
    this.clearButton.addEventListener("click", () => {
      if (!window.confirm(this.room.t("clear_confirm"))) return;
      setMessage(this.error, "");
      this.room.request({ type: "chat.clear" }, { area: "moderation" });
    });
    this.heldList.addEventListener("click", (event) => {
      const button = event.target.closest("[data-held-approve], [data-held-deny]");
      if (!button) return;
      const id = Number(button.closest("[data-held-message]").dataset.messageId);
      const type = button.hasAttribute("data-held-approve") ? "automod.approve" : "automod.deny";
      button.disabled = true;
      this.room.request({ type, message_id: id }, { area: "moderation", heldId: id });
    });
  }

  setModes(changes) {
    setMessage(this.error, "");
    if (!this.room.request({ type: "room.set_modes", ...changes }, { area: "moderation", modes: true })) {
      this.showModes(this.modes); // not sent: show what is in force
    }
  }

  /** Show the modes in force in the controls. */
  showModes(modes) {
    this.modes = { ...modes };
    selectValue(this.slow, String(modes.slow_mode_seconds ?? 0));
    selectValue(this.followers, modes.followers_only_minutes == null ? "" : String(modes.followers_only_minutes));
    this.emoteOnly.checked = Boolean(modes.emote_only);
    this.subscribersOnly.checked = Boolean(modes.subscribers_only);
  }

  replaceHeld(held) {
    this.held.clear();
    for (const entry of held ?? []) {
      // Welcome entries may be messages, or {message, score, reason} like automod.held.
      const message = entry?.message ?? entry;
      if (message?.id != null) this.held.set(message.id, { message, reason: entry.reason ?? "", score: entry.score });
    }
    this.renderHeld();
  }

  addHeld({ message, reason, score }) {
    if (message?.id == null) return;
    this.held.set(message.id, { message, reason: reason ?? "", score });
    this.renderHeld();
  }

  resolved(messageId) {
    this.held.delete(messageId);
    this.renderHeld();
  }

  refused(message, context) {
    setMessage(this.error, message);
    if (context?.modes) this.showModes(this.modes);
    if (context?.heldId != null) this.renderHeld();
  }

  renderHeld() {
    const t = this.room.t;
    const items = [...this.held.values()].map(({ message, reason, score }) => {
      const item = fromTemplate(this.root, "held");
      item.dataset.messageId = String(message.id);
      item.querySelector("[data-held-author]").textContent = message.author?.name || message.author?.username || "?";
      item.querySelector("[data-held-body]").textContent = message.body ?? "";
      setMessage(item.querySelector("[data-held-reason]"), heldReason(t, reason, score));
      return item;
    });
    this.heldList.replaceChildren(...items);
    this.heldEmpty.hidden = items.length > 0;
    this.heldCount.hidden = items.length === 0;
    this.heldCount.textContent = formatNumber(items.length);
  }

  showPresence({ count, anonymous, viewers }) {
    const t = this.room.t;
    this.presenceResult.hidden = false;
    const people = Array.isArray(viewers) ? viewers : [];
    this.presenceSummary.textContent = people.length
      ? t("presence_summary", { count: formatNumber(count ?? people.length), anonymous: formatNumber(anonymous ?? 0) })
      : `${t("presence_summary", { count: formatNumber(count ?? 0), anonymous: formatNumber(anonymous ?? 0) })} ${t("presence_nobody")}`;
    this.presenceList.replaceChildren(
      ...people.map((person) =>
        element("li", {}, element("bdi", { textContent: person.name || person.username }),
          element("small", { className: "muted", textContent: person.username ? `@${person.username}` : "" })),
      ),
    );
  }

  configure({ online }) {
    const controls = [this.slow, this.followers, this.emoteOnly, this.subscribersOnly, this.presenceButton, this.clearButton];
    for (const control of controls) {
      control.disabled = !online;
    }
    for (const button of this.heldList.querySelectorAll("button")) button.disabled = !online;
  }
}

/** Why AutoMod held a message, from automod.held's `reason` and `score`. */
function heldReason(t, reason, score) {
  if (typeof score !== "number") return "";
  const values = { score: formatPercent(Math.min(1, Math.max(0, score))) };
  if (reason === "profanity_model") return t("held_model", values);
  if (String(reason).startsWith("term_list")) return t("held_terms", values);
  return t("held_other", values);
}

function selectValue(select, value) {
  if (![...select.options].some((option) => option.value === value)) {
    // A value set elsewhere (the admin): show it as it is.
    select.append(new Option(value, value));
  }
  select.value = value;
}
