// The requests queue: a form to ask, the open requests ranked by upvotes (then the
// oldest first), upvotes, and Done/Dismiss for the host and moderators.
import { fromTemplate, setMessage } from "./dom.js";
import { formatNumber } from "./strings.js";

const COUNTER_MARGIN = 30;

export class Requests {
  /** @param {object} room  t, you(), canChat(), canModerate(), isOpenForActions(), request(frame, context) */
  constructor(root, room) {
    this.root = root;
    this.room = room;
    this.requests = new Map(); // id -> request (open ones)
    this.upvoted = new Set(); // ids this viewer upvoted
    this.form = root.querySelector("[data-request-form]");
    this.input = root.querySelector("[data-request-input]");
    this.counter = root.querySelector("[data-request-counter]");
    this.error = root.querySelector("[data-request-error]");
    this.note = root.querySelector("[data-request-note]");
    this.list = root.querySelector("[data-request-list]");
    this.empty = root.querySelector("[data-request-empty]");
    this.count = root.querySelector("[data-requests-count]");
    this.maxLength = Number(this.input.maxLength) || 200;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("input", () => this.updateCounter());
    this.list.addEventListener("click", (event) => this.onListClick(event));
  }

  /** Replace the queue (a welcome). */
  replace(requests) {
    this.requests.clear();
    for (const request of requests ?? []) {
      if (request.you_upvoted) this.upvoted.add(request.id);
      if (request.status === "open") this.requests.set(request.id, request);
    }
    this.render();
  }

  /** request.added / request.updated: `you_upvoted` is always false there. */
  update(request) {
    if (!request || typeof request.id !== "number") return;
    if (request.status === "open") this.requests.set(request.id, request);
    else this.requests.delete(request.id);
    this.render();
  }

  submit() {
    const text = this.input.value.replace(/\s+/g, " ").trim();
    if (!text || this.form.querySelector("[data-request-submit]").disabled) return;
    if (!this.room.request({ type: "request.submit", text }, { area: "requests", text })) return;
    this.input.value = "";
    this.updateCounter();
    setMessage(this.error, "");
  }

  onListClick(event) {
    const button = event.target.closest("button");
    const item = button?.closest("[data-request]");
    if (!item || button.disabled) return;
    const id = Number(item.dataset.requestId);
    if (button.hasAttribute("data-request-upvote")) {
      this.upvoted.add(id);
      if (!this.room.request({ type: "request.upvote", request_id: id }, { area: "requests", upvote: id })) {
        this.upvoted.delete(id);
      }
      this.render();
    } else if (button.hasAttribute("data-request-done") || button.hasAttribute("data-request-dismiss")) {
      const status = button.hasAttribute("data-request-done") ? "done" : "dismissed";
      this.room.request({ type: "request.resolve", request_id: id, status }, { area: "requests" });
    }
  }

  refused(message, context) {
    setMessage(this.error, message);
    if (context?.upvote) {
      this.upvoted.delete(context.upvote);
      this.render();
    }
    if (context?.text && !this.input.value) {
      this.input.value = context.text;
      this.updateCounter();
    }
  }

  /** Who may do what changed (roles, restriction, connection). */
  configure({ canSubmit, note }) {
    this.form.hidden = !canSubmit;
    setMessage(this.note, canSubmit ? "" : note);
    this.render();
  }

  updateCounter() {
    const length = [...this.input.value].length;
    const near = length >= this.maxLength - COUNTER_MARGIN;
    this.counter.hidden = !near;
    this.counter.textContent = near ? `${formatNumber(length)}/${formatNumber(this.maxLength)}` : "";
  }

  sorted() {
    return [...this.requests.values()].sort(
      (a, b) => (b.upvotes ?? 0) - (a.upvotes ?? 0) || Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id,
    );
  }

  render() {
    const t = this.room.t;
    const you = this.room.you();
    const active = this.room.isOpenForActions();
    const canVote = active && this.room.canChat();
    const canResolve = active && this.room.canModerate();
    const focusedId = document.activeElement?.closest?.("[data-request]")?.dataset.requestId;
    const focusedHook = focusedId ? [...document.activeElement.attributes].find((a) => a.name.startsWith("data-request-"))?.name : null;
    const items = this.sorted().map((request) => {
      const item = fromTemplate(this.root, "request");
      item.dataset.requestId = String(request.id);
      item.querySelector("[data-request-text]").textContent = request.text;
      item.querySelector("[data-request-meta]").textContent = t("request_by", {
        name: request.author?.name || request.author?.username || "?",
      });
      const own = Boolean(you && request.author?.id === you.id);
      const upvoted = this.upvoted.has(request.id);
      const count = formatNumber(request.upvotes ?? 0);
      const upvote = item.querySelector("[data-request-upvote]");
      upvote.querySelector("[data-request-upvotes]").textContent = count;
      upvote.setAttribute("aria-pressed", String(upvoted));
      upvote.disabled = !canVote || own || upvoted;
      upvote.setAttribute("aria-label", t(own ? "request_own" : upvoted ? "request_upvoted" : "request_upvote", { count }));
      item.querySelector("[data-request-resolve]").hidden = !canResolve;
      return item;
    });
    this.list.replaceChildren(...items);
    this.empty.hidden = items.length > 0;
    this.count.hidden = items.length === 0;
    this.count.textContent = formatNumber(items.length);
    if (focusedId && focusedHook) {
      const target = this.list.querySelector(`[data-request-id="${focusedId}"] [${focusedHook}]`);
      if (target && !target.disabled) target.focus();
      else this.root.querySelector('[data-room-panel="requests"]')?.focus();
    }
  }
}
