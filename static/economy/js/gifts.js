// Gifts on the stream page: the panel that sends them (templates/economy/_gift_panel.html)
// and the stage that plays them (templates/economy/_gift_stage.html).
//
// Sending is an HTTP call (POST /api/v1/gifts/send) with an Idempotency-Key, so a
// retry after a lost answer never sends twice. Playing follows the room socket:
// room.js re-dispatches each `gift.sent` frame as a `gift-sent` event on document,
// for this viewer's own gifts too, so everyone sees the same show.

const COMBO_WINDOW_MS = 4000;
const CARD_MS = 4200;
const MAX_CARDS = 4;
const TAKEOVER_MS = { large: 3800, legendary: 5600 };
const MAX_QUEUED_TAKEOVERS = 6;

const panel = document.querySelector("[data-gift-panel]");
if (panel) startPanel(panel);
startStage();

function readGiftStrings(root) {
  const strings = {};
  for (const item of root.querySelector("template[data-gift-strings]")?.content.querySelectorAll("[data-key]") ?? []) {
    strings[item.dataset.key] = item.textContent.trim();
  }
  return (key, values = {}) =>
    (strings[key] ?? key).replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);

/** The gift's name in this page's language (frames carry every language's). */
function giftName(gift) {
  const lang = (document.documentElement.lang || "").toLowerCase();
  return gift.names?.[lang] || gift.name || "";
}

function newIdempotencyKey() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function startPanel(panel) {
  const t = readGiftStrings(panel);
  const toggle = panel.querySelector("[data-gift-toggle]");
  const drawer = panel.querySelector("[data-gift-drawer]");
  const grid = panel.querySelector("[data-gift-grid]");
  const options = [...panel.querySelectorAll("[data-gift-option]")];
  const quantity = panel.querySelector("[data-gift-quantity]");
  const sendButton = panel.querySelector("[data-gift-send]");
  const total = panel.querySelector("[data-gift-total]");
  const error = panel.querySelector("[data-gift-error]");
  const done = panel.querySelector("[data-gift-done]");
  const buy = panel.querySelector("[data-gift-buy]");
  const balance = panel.querySelector("[data-gift-balance]");
  let selected = null;
  let lastSend = { giftId: null, quantity: 0, at: 0, combo: 0 };
  let sending = false;

  const open = (shown) => {
    drawer.hidden = !shown;
    toggle.setAttribute("aria-expanded", String(shown));
    if (shown) (selected ?? options[0])?.focus();
  };
  toggle.addEventListener("click", () => open(drawer.hidden));
  panel.querySelector("[data-gift-close]")?.addEventListener("click", () => {
    open(false);
    toggle.focus();
  });
  drawer.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      open(false);
      toggle.focus();
    }
  });

  const select = (option, { focus = false } = {}) => {
    selected = option;
    for (const other of options) {
      const chosen = other === option;
      other.setAttribute("aria-checked", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
    }
    if (focus) option.focus();
    showTotal();
  };
  grid?.addEventListener("click", (event) => {
    const option = event.target.closest("[data-gift-option]");
    if (option) select(option);
  });
  // Arrow keys move through the radio group, as in any radio group.
  grid?.addEventListener("keydown", (event) => {
    const steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (!(event.key in steps)) return;
    event.preventDefault();
    const step = document.dir === "rtl" && event.key.startsWith("ArrowL") ? 1 : steps[event.key];
    const index = options.indexOf(document.activeElement);
    select(options[(index + step + options.length) % options.length], { focus: true });
  });
  quantity?.addEventListener("change", showTotal);
  sendButton?.addEventListener("click", () => send());

  function showTotal() {
    if (!selected) return;
    const coins = Number(selected.dataset.giftPrice) * Number(quantity.value);
    total.textContent = t("total", { coins: numberFormat.format(coins) });
    sendButton.disabled = sending;
    error.hidden = true;
    buy.hidden = true;
  }

  async function send() {
    if (!selected || sending) return;
    const giftId = Number(selected.dataset.giftId);
    const count = Number(quantity.value);
    const now = Date.now();
    const continues = lastSend.giftId === giftId && lastSend.quantity === count && now - lastSend.at < COMBO_WINDOW_MS;
    const combo = continues ? lastSend.combo + 1 : 1;
    const body = JSON.stringify({ stream: Number(panel.dataset.streamId), gift: giftId, quantity: count, combo });
    const key = newIdempotencyKey();
    sending = true;
    sendButton.disabled = true;
    sendButton.setAttribute("aria-busy", "true");
    done.hidden = true;
    error.hidden = true;
    buy.hidden = true;
    try {
      // One retry with the same key: if the first answer was lost, the server
      // answers the second with the first result instead of sending again.
      const response = await post(body, key).catch(() => post(body, key));
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        lastSend = { giftId, quantity: count, at: Date.now(), combo };
        balance.textContent = numberFormat.format(answer.balance);
        done.textContent = combo > 1
          ? `${t("sent", { quantity: count, gift: selected.dataset.giftName })} · ${t("combo", { combo })}`
          : t("sent", { quantity: count, gift: selected.dataset.giftName });
        done.hidden = false;
      } else {
        refuse(answer);
      }
    } catch {
      error.textContent = t("offline");
      error.hidden = false;
    } finally {
      sending = false;
      sendButton.disabled = false;
      sendButton.removeAttribute("aria-busy");
    }
  }

  function post(body, key) {
    return fetch(panel.dataset.sendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": panel.dataset.csrfToken,
        "Idempotency-Key": key,
      },
      body,
    });
  }

  function refuse(answer) {
    error.textContent = answer.message || t("failed");
    error.hidden = false;
    if (answer.code === "insufficient_coins" || answer.code === "coin_debt") {
      buy.hidden = false;
      if (Number.isFinite(answer.extra?.available)) balance.textContent = numberFormat.format(answer.extra.available);
    }
  }
}

function startStage() {
  const stage = document.querySelector("[data-gift-stage]");
  if (!stage) return;
  const cards = stage.querySelector("[data-gift-cards]");
  const takeover = stage.querySelector("[data-gift-takeover]");
  const cardTemplate = document.querySelector("template[data-gift-card-template]");
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const takeovers = [];
  let playing = false;

  // An OG member's entrance plays like a gift card, in their tier's colour.
  document.addEventListener("room-entrance", (event) => {
    const frame = event.detail;
    if (!frame?.user || !frame.entrance) return;
    const card = cardTemplate.content.firstElementChild.cloneNode(true);
    card.classList.add("gift-card--entrance");
    if (/^#[0-9a-fA-F]{6}$/.test(frame.entrance.color ?? "")) card.style.setProperty("--entrance-color", frame.entrance.color);
    card.querySelector("[data-gift-card-icon]").append(document.createTextNode("👑"));
    card.querySelector("[data-gift-card-sender]").textContent = frame.user.name || frame.user.username;
    card.querySelector("[data-gift-card-gift]").textContent = `OG${Number(frame.entrance.tier) || ""}`;
    while (cards.childElementCount >= MAX_CARDS) cards.firstElementChild.remove();
    cards.append(card);
    window.setTimeout(() => card.remove(), CARD_MS);
  });

  document.addEventListener("gift-sent", (event) => {
    const frame = event.detail;
    if (!frame?.gift || !frame.sender) return;
    if (frame.gift.full_screen) queueTakeover(frame);
    else showCard(frame);
  });

  function icon(gift) {
    if (gift.image) {
      const image = document.createElement("img");
      image.src = gift.image;
      image.alt = "";
      return image;
    }
    return document.createTextNode(gift.icon || "🎁");
  }

  function showCard(frame) {
    const card = cardTemplate.content.firstElementChild.cloneNode(true);
    card.classList.add(`gift-card--${frame.gift.tier}`);
    card.querySelector("[data-gift-card-icon]").append(icon(frame.gift));
    card.querySelector("[data-gift-card-icon]").classList.add(`gift-animation--${frame.gift.animation}`);
    card.querySelector("[data-gift-card-sender]").textContent = frame.sender.name || frame.sender.username;
    card.querySelector("[data-gift-card-gift]").textContent = giftName(frame.gift);
    card.querySelector("[data-gift-card-count]").textContent = countText(frame);
    while (cards.childElementCount >= MAX_CARDS) cards.firstElementChild.remove();
    cards.append(card);
    window.setTimeout(() => card.remove(), reducedMotion.matches ? CARD_MS / 2 : CARD_MS);
  }

  function queueTakeover(frame) {
    // A flood of big gifts plays the newest few, not a queue of minutes.
    if (takeovers.length >= MAX_QUEUED_TAKEOVERS) takeovers.shift();
    takeovers.push(frame);
    if (!playing) playNext();
  }

  function playNext() {
    const frame = takeovers.shift();
    if (!frame) {
      playing = false;
      takeover.hidden = true;
      return;
    }
    playing = true;
    takeover.replaceChildren();
    takeover.className = `gift-stage__takeover gift-takeover--${frame.gift.tier} gift-animation--${frame.gift.animation}`;
    const art = document.createElement("span");
    art.className = "gift-takeover__art";
    art.append(icon(frame.gift));
    const caption = document.createElement("p");
    caption.className = "gift-takeover__caption";
    const who = document.createElement("strong");
    who.textContent = frame.sender.name || frame.sender.username;
    caption.append(who, " · ", giftName(frame.gift), " ", countText(frame));
    takeover.append(art, caption);
    if (!reducedMotion.matches && frame.gift.animation === "rain") {
      for (let index = 0; index < 14; index += 1) {
        const drop = document.createElement("span");
        drop.className = "gift-takeover__drop";
        drop.append(icon(frame.gift));
        drop.style.setProperty("--x", `${Math.round(Math.random() * 94)}%`);
        drop.style.setProperty("--delay", `${Math.round(Math.random() * 1400)}ms`);
        takeover.append(drop);
      }
    }
    takeover.hidden = false;
    const duration = reducedMotion.matches ? 2000 : TAKEOVER_MS[frame.gift.tier] ?? 3800;
    window.setTimeout(playNext, duration);
  }

  function countText(frame) {
    const parts = [];
    if (frame.quantity > 1) parts.push(`×${numberFormat.format(frame.quantity)}`);
    if (frame.combo > 1) parts.push(`🔥${numberFormat.format(frame.combo)}`);
    return parts.join(" ");
  }
}
