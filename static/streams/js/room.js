// The live room on the stream page: chat, reactions, polls, requests and moderation
// over the room socket (docs/realtime-protocol.md, "The live room: /ws/streams/<id>/").
// The panel is templates/streams/_room.html; what this viewer may do comes from the
// socket's welcome (`you.roles`, `you.can_chat`), never from the page.
import { ChatLog } from "./room/chat.js";
import { Composer } from "./room/composer.js";
import { RoomConnection } from "./room/connection.js";
import { setMessage } from "./room/dom.js";
import { Moderation } from "./room/moderation.js";
import { PollCard, PollForm } from "./room/polls.js";
import { Reactions } from "./room/reactions.js";
import { Requests } from "./room/requests.js";
import { formatClock, formatMoment, formatNumber, readStrings } from "./room/strings.js";
import { Tabs } from "./room/tabs.js";

const EMOTE_CODE = /^[a-z0-9_]{2,24}$/;
const RESTRICTIONS_THAT_STOP_CHAT = new Set(["timed_out", "channel_banned", "site_banned", "account_inactive"]);

const root = document.querySelector("[data-room]");
if (root) startRoom(root);

function startRoom(root) {
  const t = readStrings(root);
  const emotes = new Map(); // code -> {code, name, url}
  const state = {
    welcomed: false,
    you: null,
    roles: new Set(),
    canChat: false,
    restriction: null,
    restrictionTimer: null,
    streamStatus: root.dataset.streamStatus || "live",
    modes: { slow_mode_seconds: 0, followers_only_minutes: null, emote_only: false, subscribers_only: false },
    reactionKinds: null,
    controlsKey: "",
    connection: "",
  };

  const connection = new RoomConnection(root.dataset.socketPath, {
    onWelcome: (frame) => onWelcome(frame),
    onFrame: (frame) => onFrame(frame),
    onState: (connectionState, detail) => onConnectionState(connectionState, detail),
  });

  const ended = () => state.streamStatus === "ended";
  const online = () => connection.isOpen;
  const canModerate = () => state.roles.has("host") || state.roles.has("moderator");
  const canChat = () => Boolean(state.you && state.canChat);
  const base = {
    t,
    emotes,
    you: () => state.you,
    isHost: () => state.roles.has("host"),
    canModerate,
    canChat,
    isOpenForActions: () => online() && !ended(),
    request: (frame, context = {}) => {
      const ref = connection.request(frame, context);
      if (ref === null) showRefusal(t("offline_note"), context);
      return ref;
    },
  };

  const tabs = new Tabs(root);
  const chat = new ChatLog(root, {
    ...base,
    // Menus stay on the messages while reconnecting; an action then says "offline".
    isOpenForActions: () => !ended(),
    moderate: (frame) => base.request(frame, { area: "chat" }),
  });
  const composer = new Composer(root, {
    ...base,
    send: (body) => connection.request({ type: "chat.send", body }, { area: "chat", body }) !== null,
  });
  const reactions = new Reactions({
    send: (kind) => connection.send({ type: "reaction.send", kind }),
  });
  const polls = new PollCard(root, base);
  const pollForm = new PollForm(root, base);
  const requests = new Requests(root, base);
  const moderation = new Moderation(root, base);
  polls.onChange = () => applyPermissions();

  const statusBar = root.querySelector("[data-room-status-bar]");
  const statusText = root.querySelector("[data-room-status]");
  const retryButton = root.querySelector("[data-room-retry]");
  const requestSignIn = root.querySelector("[data-request-sign-in]");
  retryButton.addEventListener("click", () => window.location.reload());

  applyPermissions();
  connection.connect();

  // --- Welcome and frames ----------------------------------------------------

  function onWelcome(frame) {
    const full = !frame.resumed;
    state.welcomed = true;
    if ("you" in frame) {
      const you = frame.you && typeof frame.you === "object" ? frame.you : null;
      state.you = you;
      state.roles = new Set(Array.isArray(you?.roles) ? you.roles : []);
      state.canChat = Boolean(you?.can_chat);
      setRestriction(you?.restriction ?? null);
    }
    if (frame.limits) composer.setLimit(Number(frame.limits.message_max_length));
    if (Array.isArray(frame.emotes)) {
      emotes.clear();
      for (const emote of frame.emotes) {
        if (EMOTE_CODE.test(emote?.code ?? "") && typeof emote.url === "string") emotes.set(emote.code, emote);
      }
      composer.setEmotes(emotes);
    }
    if (Array.isArray(frame.reactions)) state.reactionKinds = frame.reactions;
    if (frame.modes) applyModes(frame.modes);
    if (frame.viewers) showViewers(frame.viewers.count);
    if (frame.stream?.title) showTitle(frame.stream.title);
    if (frame.stream?.status) setStreamStatus(frame.stream.status);
    if (full) chat.replace(Array.isArray(frame.messages) ? frame.messages : []);
    if ("poll" in frame && (frame.poll || full)) polls.show(frame.poll);
    if (Array.isArray(frame.requests)) requests.replace(frame.requests);
    if (Array.isArray(frame.held) || full) moderation.replaceHeld(frame.held ?? []);
    applyPermissions();
    // An ended stream's room changes no more: the replay is all there is.
    if (ended()) window.setTimeout(() => connection.stop(), 0);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "chat.message":
        if (frame.message) chat.add(frame.message);
        break;
      case "chat.deleted":
        chat.remove(frame.message_id);
        break;
      case "chat.cleared":
        chat.clear();
        chat.notice(t("notice_cleared"));
        break;
      case "chat.user_purged":
        chat.removeUser(frame.user_id);
        break;
      case "room.modes":
        if (frame.modes) applyModes(frame.modes);
        applyPermissions();
        break;
      case "room.notice":
        showNotice(frame.code, frame.params ?? {});
        break;
      case "stream.status":
        setStreamStatus(frame.status);
        break;
      case "stream.updated":
        if (frame.title) showTitle(frame.title);
        break;
      case "poll.opened":
        polls.show(frame.poll);
        pollForm.opened();
        break;
      case "poll.closed":
        polls.show(frame.poll);
        break;
      case "poll.results":
        polls.results(frame);
        break;
      case "poll.voted":
        connection.takeRequest(frame.ref);
        polls.voted(frame.poll_id, frame.option_id);
        break;
      case "request.added":
      case "request.updated":
        requests.update(frame.request);
        break;
      case "presence.count":
        showViewers(frame.count);
        break;
      case "presence.joined":
      case "presence.left":
        if (frame.user) {
          const name = frame.user.name || frame.user.username;
          chat.notice(t(frame.type === "presence.joined" ? "joined" : "left", { name }));
        }
        break;
      case "presence.list":
        connection.takeRequest(frame.ref);
        moderation.showPresence(frame);
        break;
      case "reaction.burst":
        reactions.burst(frame.counts);
        break;
      case "room.entrance":
        if (frame.user && frame.entrance) {
          const name = frame.user.name || frame.user.username;
          chat.notice(t("entrance_og", { tier: Number(frame.entrance.tier) || "", name }), { gift: true });
          document.dispatchEvent(new CustomEvent("room-entrance", { detail: frame }));
        }
        break;
      case "gift.sent":
        if (frame.sender && frame.gift) {
          chat.notice(t("gift_sent", {
            name: frame.sender.name || frame.sender.username,
            quantity: formatNumber(Number(frame.quantity) || 1),
            gift: `${frame.gift.icon ?? ""} ${giftName(frame.gift)}`.trim(),
          }), { gift: true });
          // The stage (static/economy/js/gifts.js) and the top gifters list play it.
          document.dispatchEvent(new CustomEvent("gift-sent", { detail: frame }));
        }
        break;
      case "automod.held":
        moderation.addHeld(frame);
        break;
      case "automod.resolved":
        moderation.resolved(frame.message_id);
        break;
      case "user.restricted":
        onRestricted(frame);
        break;
      case "chat.ack":
        connection.takeRequest(frame.ref);
        composer.accepted(canModerate() ? 0 : Number(state.modes.slow_mode_seconds) || 0);
        break;
      case "chat.pending":
        connection.takeRequest(frame.ref);
        composer.accepted(0);
        composer.held();
        break;
      case "error":
        onError(frame);
        break;
      default:
        break; // pong, and types a newer server may add
    }
  }

  function giftName(gift) {
    const lang = (document.documentElement.lang || "").toLowerCase();
    return gift.names?.[lang] || gift.name || "";
  }

  function onError(frame) {
    const context = connection.takeRequest(frame.ref);
    const message = frame.message || frame.code || "";
    if (context?.type === "chat.send") {
      composer.refused(message, {
        body: context.body,
        retryAfter: Number(frame.retry_after) || null,
        link: refusalLink(frame),
      });
    } else if (context?.type !== "reaction.send") {
      showRefusal(message, context ?? { area: "chat" });
    }
    if (frame.code === "timed_out" && Number(frame.retry_after) > 0) {
      setRestriction({ code: "timed_out", until: new Date(Date.now() + frame.retry_after * 1000).toISOString() });
      state.canChat = false;
    } else if (RESTRICTIONS_THAT_STOP_CHAT.has(frame.code)) {
      setRestriction({ code: frame.code, until: null });
      state.canChat = false;
    } else if (frame.code === "chat_closed") {
      setStreamStatus("ended");
    }
    applyPermissions();
  }

  /** subscribers_only refusals say where to subscribe: a link on this site only. */
  function refusalLink(frame) {
    const href = frame.code === "subscribers_only" ? frame.subscribe_url : null;
    if (typeof href !== "string" || !href.startsWith("/") || href.startsWith("//")) return null;
    return { href, label: t("subscribe") };
  }

  function showRefusal(message, context) {
    switch (context?.area) {
      case "poll":
        polls.error(message);
        break;
      case "poll-form":
        pollForm.refused(message);
        break;
      case "requests":
        requests.refused(message, context);
        break;
      case "moderation":
        moderation.refused(message, context);
        break;
      default:
        composer.showError(message);
    }
  }

  function onRestricted({ code, until, reason }) {
    if (!code) {
      setRestriction(null);
      state.canChat = Boolean(state.you);
      chat.notice(t("restriction_lifted"));
    } else {
      setRestriction({ code, until, reason });
      state.canChat = false;
      chat.notice(restrictionText(), { alert: true });
    }
    applyPermissions();
  }

  function setRestriction(restriction) {
    state.restriction = restriction;
    window.clearTimeout(state.restrictionTimer);
    const until = Date.parse(restriction?.until ?? "");
    if (restriction?.code === "timed_out" && Number.isFinite(until)) {
      // The timeout runs out here; the server has the last word if the clock is off.
      const wait = Math.min(until - Date.now(), 2 ** 31 - 1);
      state.restrictionTimer = window.setTimeout(() => {
        state.restriction = null;
        state.canChat = Boolean(state.you);
        applyPermissions();
      }, Math.max(0, wait));
    }
  }

  function restrictionText() {
    const restriction = state.restriction;
    const until = Date.parse(restriction?.until ?? "");
    const time = Number.isFinite(until) ? formatMoment(new Date(until)) : null;
    let text;
    switch (restriction?.code) {
      case "timed_out":
        text = time ? t("timed_out_until", { time }) : t("timed_out");
        break;
      case "channel_banned":
        text = t("channel_banned");
        break;
      case "site_banned":
        text = time ? t("site_banned_until", { time }) : t("site_banned");
        break;
      case "account_inactive":
        text = t("account_inactive");
        break;
      default:
        text = t("cannot_chat");
    }
    return restriction?.reason ? `${text} ${t("reason", { reason: restriction.reason })}` : text;
  }

  // --- What the page shows -----------------------------------------------------

  function applyModes(modes) {
    state.modes = { ...state.modes, ...modes };
    const chips = [];
    const slow = Number(state.modes.slow_mode_seconds) || 0;
    if (slow > 0) chips.push(["slow", t("mode_slow", { seconds: formatNumber(slow) })]);
    const followers = state.modes.followers_only_minutes;
    if (followers !== null && followers !== undefined) {
      chips.push(["followers", followers > 0 ? t("mode_followers_minutes", { minutes: formatNumber(followers) }) : t("mode_followers")]);
    }
    if (state.modes.emote_only) chips.push(["emote-only", t("mode_emote_only")]);
    if (state.modes.subscribers_only) chips.push(["subscribers-only", t("mode_subscribers_only")]);
    const list = root.querySelector("[data-room-modes]");
    list.replaceChildren(
      ...chips.map(([name, label]) => {
        const item = document.createElement("li");
        item.className = "room__mode";
        item.dataset.roomMode = name;
        item.textContent = label;
        return item;
      }),
    );
    list.hidden = chips.length === 0;
    moderation.showModes(state.modes);
  }

  function showNotice(code, params) {
    switch (code) {
      case "title_changed":
        if (params.title) {
          showTitle(params.title);
          chat.notice(t("notice_title_changed", { title: params.title }));
        }
        break;
      case "stream_interrupted": {
        const seconds = Number(params.seconds);
        chat.notice(seconds > 0 ? t("notice_interrupted", { time: formatClock(seconds) }) : t("notice_interrupted_short"), { alert: true });
        break;
      }
      case "stream_resumed":
        chat.notice(t("notice_resumed"));
        break;
      case "stream_ended":
        chat.notice(t("notice_ended"), { alert: true });
        break;
      default:
        break; // notices this page has no words for
    }
  }

  function showViewers(count) {
    if (typeof count !== "number") return;
    for (const node of document.querySelectorAll("[data-viewer-count]")) node.textContent = formatNumber(count);
  }

  function showTitle(title) {
    const heading = document.querySelector("h1.watch__title");
    if (!heading || heading.textContent === title) return;
    const old = heading.textContent;
    heading.textContent = title;
    if (old && document.title.startsWith(old)) document.title = title + document.title.slice(old.length);
  }

  function setStreamStatus(status) {
    if (!status || status === state.streamStatus) return;
    state.streamStatus = status;
    root.dataset.streamStatus = status;
    // The player shows the stream's state (templates/streams/watch.html, player.js).
    document.dispatchEvent(new CustomEvent("room:stream-status", { detail: { status } }));
    if (status === "ended") window.setTimeout(() => connection.stop(), 0);
    applyPermissions();
  }

  function onConnectionState(connectionState, detail) {
    const changed = connectionState !== state.connection;
    state.connection = connectionState;
    root.toggleAttribute("data-room-open", connectionState === "open");
    let text = "";
    let problem = false;
    let reload = false;
    switch (connectionState) {
      case "connecting":
        text = t("connecting");
        break;
      case "reconnecting":
        text = detail.seconds ? t("reconnecting_in", { seconds: formatNumber(detail.seconds) }) : t("reconnecting");
        problem = Boolean(detail.seconds);
        break;
      case "not_found":
        text = t("not_found");
        problem = true;
        break;
      case "refused":
      case "outdated":
        text = t(connectionState);
        problem = true;
        reload = true;
        break;
      default:
        break; // open, or closed because the stream ended (the panel says so)
    }
    setMessage(statusText, text);
    statusBar.hidden = !text;
    statusBar.classList.toggle("room__status--problem", problem);
    retryButton.hidden = !reload;
    // The reconnect countdown ticks every second; the controls change only with the state.
    if (changed) applyPermissions();
  }

  /** Enable, disable, show and hide everything by who the viewer is and the room's state. */
  function applyPermissions() {
    const isEnded = ended();
    const isOnline = online();
    const mayChat = canChat();
    const moderator = canModerate();

    if (isEnded) composer.setState("closed");
    else if (!state.welcomed) composer.setState("connecting");
    else if (!state.you) composer.setState("visitor");
    else if (!mayChat) composer.setState("restricted", restrictionText());
    else if (!isOnline) composer.setState("offline");
    else composer.setState("ready");

    const active = state.streamStatus === "live" || state.streamStatus === "interrupted";
    reactions.configure({ kinds: state.reactionKinds, enabled: active && isOnline && mayChat });

    tabs.setVisible("moderation", moderator && !isEnded);
    moderation.configure({ online: isOnline });
    pollForm.configure({
      visible: state.roles.has("host") && !isEnded,
      pollOpen: Boolean(polls.openPoll),
      online: isOnline,
    });
    polls.update();

    let requestNote = "";
    if (isEnded) requestNote = t("chat_closed");
    else if (state.welcomed && state.you && !mayChat) requestNote = restrictionText();
    else if (state.welcomed && state.you && !isOnline) requestNote = t("offline_note");
    requests.configure({ canSubmit: !isEnded && mayChat && isOnline, note: requestNote });
    requestSignIn.hidden = !(state.welcomed && !state.you && !isEnded);

    // Menus on messages follow roles and the stream's end; redraw them only then.
    const controlsKey = `${moderator}|${isEnded}|${state.you?.id ?? ""}`;
    if (controlsKey !== state.controlsKey) {
      state.controlsKey = controlsKey;
      chat.refreshControls();
    }
  }
}
