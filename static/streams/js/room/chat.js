// The chat list: messages and notices, emotes and mentions, auto-scroll that pauses
// while the reader scrolls up, and the moderators' menu on each message.
import { element, fromTemplate } from "./dom.js";

const MAX_ITEMS = 200;
// Within this many pixels of the bottom counts as "at the bottom".
const BOTTOM_SLACK = 40;
const TOKEN = /:([a-z0-9_]{2,24}):|@([A-Za-z0-9_]{3,30})/g;
const BADGE_KINDS = [
  "host", "moderator", "staff", "og", "subscriber",
  "verified_creator", "trusted_streamer", "community_champion", "premium_partner",
];
const COLOR = /^#[0-9a-fA-F]{6}$/;
const TIMEOUT_CHOICES = new Set([60, 600, 3600, 86400]);

export class ChatLog {
  /**
   * @param {HTMLElement} root  the [data-room] panel
   * @param {object} room  shared room state and actions: t, emotes, you(), canModerate(),
   *   isOpenForActions(), moderate(frame, context)
   */
  constructor(root, room) {
    this.root = root;
    this.room = room;
    this.list = root.querySelector("[data-room-messages]");
    this.empty = root.querySelector("[data-room-empty]");
    this.jump = root.querySelector("[data-room-jump]");
    this.atBottom = true;
    this.openMenu = null;

    this.list.addEventListener("scroll", () => {
      this.atBottom = this.distanceFromBottom() <= BOTTOM_SLACK;
      if (this.atBottom) this.jump.hidden = true;
    }, { passive: true });
    this.jump.addEventListener("click", () => {
      this.scrollToBottom();
      this.list.focus({ preventScroll: true });
    });
    this.list.addEventListener("click", (event) => this.onListClick(event));
    document.addEventListener("click", (event) => {
      if (this.openMenu && !this.openMenu.item.contains(event.target)) this.closeMenu(false);
    });
  }

  distanceFromBottom() {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight;
  }

  scrollToBottom() {
    this.list.scrollTop = this.list.scrollHeight;
    this.atBottom = true;
    this.jump.hidden = true;
  }

  /** Replace everything shown (a full welcome). */
  replace(messages) {
    this.closeMenu(false);
    this.list.replaceChildren(...messages.map((message) => this.renderMessage(message)));
    this.trim();
    this.updateEmpty();
    this.scrollToBottom();
  }

  add(message) {
    if (this.find(message.id)) return;
    this.append(this.renderMessage(message));
  }

  notice(text, { alert = false, gift = false } = {}) {
    const kind = alert ? " room-notice--alert" : gift ? " room-notice--gift" : "";
    const item = element("li", { className: `room-notice${kind}`, textContent: text });
    item.dataset.roomNotice = "";
    this.append(item);
  }

  append(item) {
    const stick = this.atBottom;
    this.list.append(item);
    this.trim();
    this.updateEmpty();
    if (stick) this.scrollToBottom();
    else this.jump.hidden = false;
  }

  /** Keep at most MAX_ITEMS in the page; a reader scrolled up keeps their place. */
  trim() {
    while (this.list.children.length > MAX_ITEMS) {
      const first = this.list.firstElementChild;
      const height = first.offsetHeight;
      if (this.openMenu?.item === first) this.closeMenu(false);
      first.remove();
      if (!this.atBottom) this.list.scrollTop -= height;
    }
  }

  find(messageId) {
    return this.list.querySelector(`[data-room-message][data-message-id="${Number(messageId)}"]`);
  }

  remove(messageId) {
    const item = this.find(messageId);
    if (!item) return;
    if (this.openMenu?.item === item) this.closeMenu(false);
    item.remove();
    this.updateEmpty();
  }

  removeUser(userId) {
    for (const item of this.list.querySelectorAll(`[data-room-message][data-author-id="${Number(userId)}"]`)) {
      if (this.openMenu?.item === item) this.closeMenu(false);
      item.remove();
    }
    this.updateEmpty();
  }

  clear() {
    this.closeMenu(false);
    for (const item of this.list.querySelectorAll("[data-room-message]")) item.remove();
    this.updateEmpty();
  }

  updateEmpty() {
    this.empty.hidden = this.list.children.length > 0;
  }

  // --- Rendering ---------------------------------------------------------------

  renderMessage(message) {
    const author = message.author ?? {};
    const you = this.room.you();
    const item = element("li", { className: "room-message" });
    item.dataset.roomMessage = "";
    item.dataset.messageId = String(message.id);
    item.dataset.authorId = String(author.id ?? "");
    item.dataset.authorName = author.name || author.username || "";
    const authorIsHost = (author.badges ?? []).some((badge) => badge?.kind === "host");
    if (authorIsHost) item.dataset.authorHost = "";
    if (you && author.id === you.id) item.classList.add("room-message--own");
    if (message.created_at) {
      const created = new Date(message.created_at);
      if (!Number.isNaN(created.getTime())) item.title = created.toLocaleString(document.documentElement.lang || undefined);
    }

    const authorLine = element("span", { className: "room-message__author" });
    for (const badge of author.badges ?? []) {
      if (!BADGE_KINDS.includes(badge?.kind)) continue; // kinds we have no label for
      const label = this.room.t(`badge_${badge.kind}`, { tier: Number(badge.tier) || "", months: Number(badge.months) || 1 });
      const badgeElement = element("span", { className: `room-badge room-badge--${badge.kind}`, textContent: label });
      if (COLOR.test(badge.color ?? "")) badgeElement.style.setProperty("--badge-color", badge.color);
      authorLine.append(badgeElement, " ");
    }
    const name = element("bdi", { className: "room-message__name", textContent: author.name || author.username || "?" });
    if (author.username) name.title = `@${author.username}`;
    name.style.setProperty("--author-hue", String(hueFor(author.id ?? 0)));
    // OG members' names take their tier's colour.
    const og = (author.badges ?? []).find((badge) => badge?.kind === "og" && COLOR.test(badge.color ?? ""));
    if (og) name.style.color = og.color;
    authorLine.append(name);

    const body = element("span", { className: "room-message__body" });
    const mentionsYou = this.appendBody(body, String(message.body ?? ""), message.mentions ?? []);
    if (mentionsYou) item.classList.add("room-message--mention");
    item.append(authorLine, ": ", body);
    this.addMenuButton(item);
    return item;
  }

  /** The body as text nodes, emote images and mention spans; true when it names the reader. */
  appendBody(container, body, mentions) {
    const you = this.room.you();
    const reader = you?.username?.toLowerCase();
    const mentioned = new Set(mentions.map((name) => String(name).toLowerCase()));
    let mentionsYou = Boolean(reader && mentioned.has(reader));
    let last = 0;
    for (const match of body.matchAll(TOKEN)) {
      const [token, code, username] = match;
      let node = null;
      if (code && this.room.emotes.has(code)) {
        const emote = this.room.emotes.get(code);
        node = element("img", { className: "emote", src: emote.url, alt: token, title: token, width: 28, height: 28, draggable: false });
      } else if (username && !/\w/.test(body[match.index - 1] ?? "")) {
        const lower = username.toLowerCase();
        if (lower === reader) {
          node = element("span", { className: "room-mention room-mention--you", textContent: token });
          mentionsYou = true;
        } else if (mentioned.has(lower)) {
          node = element("span", { className: "room-mention", textContent: token });
        }
      }
      if (!node) continue;
      if (match.index > last) container.append(body.slice(last, match.index));
      container.append(node);
      last = match.index + token.length;
    }
    if (last < body.length) container.append(body.slice(last));
    return mentionsYou;
  }

  // --- Moderation menu ---------------------------------------------------------

  mayModerate(item) {
    const you = this.room.you();
    return Boolean(
      this.room.canModerate() &&
        this.room.isOpenForActions() &&
        you &&
        item.dataset.authorId !== String(you.id) &&
        // A moderator cannot act on the host; the host is a moderator of their own room.
        !("authorHost" in item.dataset),
    );
  }

  /** Signed-in viewers may report anyone's message but their own to the site's staff. */
  mayReport(item) {
    const you = this.room.you();
    return Boolean(you && item.dataset.messageId && item.dataset.authorId !== String(you.id));
  }

  menuLabel(item) {
    return this.mayModerate(item) ? "moderate_message" : "message_options";
  }

  addMenuButton(item) {
    item.querySelector(":scope > [data-mod-menu]")?.remove();
    if (!this.mayModerate(item) && !this.mayReport(item)) return;
    const button = element("button", {
      type: "button",
      className: "room-message__actions",
      textContent: "⋯",
      attributes: {
        "aria-expanded": "false",
        "aria-label": this.room.t(this.menuLabel(item), { name: item.dataset.authorName }),
      },
    });
    button.dataset.modMenu = "";
    item.append(button);
  }

  /** Roles or the stream's state changed: show or hide every menu button. */
  refreshControls() {
    this.closeMenu(false);
    for (const item of this.list.querySelectorAll("[data-room-message]")) this.addMenuButton(item);
  }

  onListClick(event) {
    const button = event.target.closest("[data-mod-menu]");
    if (!button) return;
    const item = button.closest("[data-room-message]");
    if (this.openMenu?.item === item) this.closeMenu(true);
    else this.showMenu(item, button);
  }

  showMenu(item, button) {
    this.closeMenu(false);
    const menu = fromTemplate(this.root, "mod-menu");
    const name = item.dataset.authorName;
    menu.querySelector("[data-mod-menu-title]").textContent = name;
    menu.setAttribute("aria-label", this.room.t(this.menuLabel(item), { name }));
    const report = menu.querySelector("[data-report-message]");
    if (this.mayReport(item)) {
      // The template's link points at message 0; aim it at this one and come back here.
      const next = encodeURIComponent(window.location.pathname);
      report.href = `${report.getAttribute("href").replace(/\/0\/$/, `/${item.dataset.messageId}/`)}?next=${next}`;
    } else {
      report.remove();
    }
    if (!this.mayModerate(item)) menu.querySelector("[data-mod-only]").remove();
    item.append(menu);
    button.setAttribute("aria-expanded", "true");
    this.openMenu = { item, button, menu };

    const messageId = Number(item.dataset.messageId);
    const userId = Number(item.dataset.authorId);
    const reason = () => menu.querySelector("[data-mod-reason]").value.trim();
    menu.addEventListener("click", (event) => {
      const target = event.target.closest("button");
      if (!target) return;
      if (target.hasAttribute("data-mod-delete")) {
        this.room.moderate({ type: "chat.delete", message_id: messageId });
      } else if (target.dataset.modTimeout) {
        const seconds = Number(target.dataset.modTimeout);
        if (!TIMEOUT_CHOICES.has(seconds)) return;
        this.room.moderate({ type: "chat.timeout", user_id: userId, seconds, reason: reason() });
      } else if (target.hasAttribute("data-mod-ban")) {
        if (!window.confirm(this.room.t("ban_confirm", { name }))) return;
        this.room.moderate({ type: "chat.ban", user_id: userId, reason: reason() });
      } else {
        return;
      }
      this.closeMenu(true);
    });
    menu.addEventListener("keydown", (event) => this.onMenuKey(event, menu));
    menu.scrollIntoView({ block: "nearest" });
    menu.querySelector("a[href], button")?.focus();
  }

  onMenuKey(event, menu) {
    if (event.key === "Escape") {
      event.preventDefault();
      this.closeMenu(true);
      return;
    }
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    if (event.target.matches("input")) return;
    const controls = [...menu.querySelectorAll("button, a[href]")];
    const index = controls.indexOf(document.activeElement);
    let next = index;
    if (event.key === "ArrowDown") next = (index + 1) % controls.length;
    if (event.key === "ArrowUp") next = (index - 1 + controls.length) % controls.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = controls.length - 1;
    event.preventDefault();
    controls[next]?.focus();
  }

  closeMenu(returnFocus) {
    if (!this.openMenu) return;
    const { menu, button } = this.openMenu;
    this.openMenu = null;
    menu.remove();
    button.setAttribute("aria-expanded", "false");
    if (returnFocus && button.isConnected) button.focus();
  }
}

function hueFor(id) {
  // Spread consecutive ids around the colour wheel (golden angle).
  return Math.round((Number(id) * 137.508) % 360);
}
